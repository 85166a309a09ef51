// The herd's report: what the container's tree looks like, what was moved, what could not be.

import type { CgroupMount } from '../proc/mountinfo.js';

export interface HerdTarget {
  /** 'cpu,cpuacct', 'name=systemd', ... on v1; 'unified' for cgroup2. */
  hierarchy: string;
  /** The init's cgroup path in that hierarchy, as /proc/<init>/cgroup shows it. */
  path: string;
  /** Mount point of the hierarchy. */
  mount: string;
  /** The cgroup's directory (mount point + path relative to the mount's root). */
  dir: string;
  version: 1 | 2;
  /** The controllers field of /proc/<pid>/cgroup ('' for cgroup2): what CRIU calls it. */
  controllers: string;
  /**
   * 'runtime': the container's cgroup as the lower runtime recorded it (the init is moved
   * there too if it is elsewhere); 'init': the init's own cgroup.
   */
  source?: 'runtime' | 'init';
}

export interface HerdMember {
  pid: number;
  ppid: number;
  comm: string;
  /** hierarchy -> cgroup path, for the target's hierarchies (where the path was read). */
  cgroups: Record<string, string>;
  /** Not in the init's cgroup in at least one hierarchy (after the herd). */
  stray: boolean;
  /** Process state letter from stat (Z = zombie: not movable, and harmless to CRIU). */
  state: string;
}

export interface HerdMove {
  pid: number;
  hierarchy: string;
  /** Where it was; absent when not read (see HerdOptions.origins). */
  from?: string;
  to: string;
}

export interface HerdFailure {
  pid: number;
  hierarchy: string;
  /** The cgroup directory the write went to. */
  path: string;
  /** errno name (EBUSY, EACCES, ...) or a cgherd code (ECALLER, EUNREACHABLE, EPATH). */
  code: string;
  message: string;
}

export interface HerdSkip {
  pid: number;
  reason: 'exited' | 'pid-reused' | 'zombie';
}

export interface HerdReport {
  initPid: number;
  target: HerdTarget[];
  /** The tree after the herd, init first. */
  members: HerdMember[];
  /** Moves made; in a dry run, the moves that would be made. */
  moved: HerdMove[];
  failures: HerdFailure[];
  skipped: HerdSkip[];
  passes: number;
  /** True when the verification found no stray. */
  converged: boolean;
  /** Pids still outside the init's cgroup after the herd. */
  strays: number[];
  /** Processes the children files missed and the ppid scan found. */
  foundByPpidScan: number[];
  /** How the tree was confirmed; absent when the ppid scan was off. */
  scan?: HerdScan;
  dryRun: boolean;
  durationMs: number;
}

export interface HerdScan {
  /**
   * 'cgroups': only the processes of the target's subtree and of the cgroups the strays
   * came from were read (container-sized); 'host': every process in /proc (the fallback).
   */
  scope: 'cgroups' | 'host';
  /** Why a scan fell back to the whole host. */
  fallback?: string;
  /** Why scanning stopped short: out of time, or the one host-wide scan was spent. */
  limited?: string;
  scans: number;
  /** /proc/<pid>/stat reads of processes that were not members. */
  statReads: number;
}

export interface HerdOptions {
  dryRun?: boolean;
  /** Cap on move passes (default 8). */
  maxPasses?: number;
  /** Wall-clock cap in ms (default 5000): a herd never hangs. */
  timeLimitMs?: number;
  /**
   * Confirm the tree with a ppid scan (default true): of the processes in the target's
   * cgroups and in the cgroups the strays came from, or, where those cannot be listed, of
   * every process in /proc. It reads each stray's cgroup before the move (one more /proc
   * read per stray), so `moved[].from` names it.
   */
  ppidScan?: boolean;
  /**
   * Read each stray's cgroup before moving it, so `moved[].from` names it (one more /proc
   * read per stray). Default false: `from` is absent unless the ppid scan read it.
   * Always on in a dry run.
   */
  origins?: boolean;
  /** The init's expected start time, when the caller knows it (crun and runc record it). */
  initStartTime?: number;
  /**
   * The container's cgroup as the lower runtime recorded it: crun's `cgroup-path` (one
   * path for every hierarchy) or runc's `cgroup_paths` (directories). Where it exists it
   * is the target, the init included: some runtimes restore the whole tree, init too, into
   * the dumped cgroup (runc 1.1 on v2, crun 1.21 without the restore root). Elsewhere the
   * init's own cgroup is.
   */
  containerCgroup?: { path?: string; dirs?: readonly string[] };
  /** The cgroup mounts, when the caller has read them already (read once per call). */
  mounts?: readonly CgroupMount[];
}

export class HerdError extends Error {
  constructor(
    readonly code: 'ENOINIT' | 'ENOCGROUP' | 'ENOMOUNT',
    message: string,
  ) {
    super(message);
    this.name = 'HerdError';
  }
}
