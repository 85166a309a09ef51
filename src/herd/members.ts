// The container's members: the init's descendants, walked through the children files (and
// confirmed by a ppid scan, in scan.ts: children files are only reliable for stopped tasks).

import { isAncestorOrSelf } from '../cgroup/paths.js';
import type { HostIO } from '../proc/host.js';
import { parsePidList, readCgroups, readLiveThreadCgroups } from '../proc/procfs.js';
import { isZombieLeader, type ProcStat } from '../proc/stat.js';
import type { HerdTarget } from './types.js';

/**
 * Where a process is known to be outside the target without its path having been read
 * (the herd reads it for the ppid scan, when asked for origins, in a dry run, or on a
 * failure). Never in a report: a move from there has no `from`.
 */
export const NOT_READ: unique symbol = Symbol('outside the target, path not read');

/** A member's place in one hierarchy: its cgroup path, or NOT_READ. */
export type Place = string | typeof NOT_READ;

/** hierarchy -> place, for the target's hierarchies (missing: not in that hierarchy). */
export type Places = Record<string, Place>;

export interface LiveMember {
  stat: ProcStat;
  cgroups: Places;
}

/** A pid the walk is to visit, with what tells it apart from a recycled pid. */
export interface PidToVisit {
  pid: number;
  /** The start time seen when the pid was found: a different one means pid reuse. */
  startTime?: number;
  /** The member that listed this pid in its children file: pid and start time. */
  parent?: { pid: number; startTime: number };
}

/** controllers field -> hierarchy name, for the hierarchies herded. */
export function hierarchyIndex(targets: readonly HerdTarget[]): Map<string, string> {
  return new Map(targets.map((t) => [t.controllers, t.hierarchy]));
}

/** hierarchy -> path from /proc/<pid>/cgroup (a live thread's, for a zombie leader);
 *  undefined when the process is gone. */
export function readMemberCgroups(
  io: HostIO,
  pid: number,
  index: ReadonlyMap<string, string>,
  stat?: ProcStat,
): Record<string, string> | undefined {
  const lines =
    (stat !== undefined && isZombieLeader(stat) ? readLiveThreadCgroups(io, pid) : undefined) ??
    readCgroups(io, pid);
  if (lines === undefined) return undefined;
  const cgroups: Record<string, string> = {};
  for (const line of lines) {
    const name = index.get(line.controllers);
    if (name !== undefined) cgroups[name] = line.path;
  }
  return cgroups;
}

/** Cgroups in a target's subtree beyond this many: fall back to /proc/<pid>/cgroup reads. */
const MAX_SUBTREE = 32;

/**
 * Who is in place in one hierarchy's target: 'root' for a root target (everything is below
 * it), 'listed' with pid -> cgroup path, or 'too-large' for a subtree too large to list.
 */
export type TargetListing =
  { kind: 'root' } | { kind: 'listed'; pids: ReadonlyMap<number, string> } | { kind: 'too-large' };

/**
 * Who is in place, per hierarchy: pid -> cgroup path, for every pid in the target cgroup or
 * below it (CRIU freezes the whole subtree), from cgroup.procs files. One read per cgroup
 * (usually one per hierarchy) replaces a /proc/<pid>/cgroup read per process.
 */
export function listTargets(
  io: HostIO,
  targets: readonly HerdTarget[],
  deadline: number,
): Map<string, TargetListing> {
  const result = new Map<string, TargetListing>();
  for (const t of targets) {
    if (t.path === '/') {
      result.set(t.hierarchy, { kind: 'root' });
      continue;
    }
    // Past the deadline the caller stops; what is not listed is read per process, if at all.
    if (io.now() > deadline) {
      result.set(t.hierarchy, { kind: 'too-large' });
      continue;
    }
    const pids = new Map<number, string>();
    const queue: { dir: string; path: string }[] = [{ dir: t.dir, path: t.path }];
    for (let i = 0; i < queue.length && queue.length <= MAX_SUBTREE; i++) {
      const { dir, path } = queue[i] as { dir: string; path: string };
      for (const pid of parsePidList(io.readText(`${dir}/cgroup.procs`) ?? '')) pids.set(pid, path);
      for (const name of io.subdirs(dir) ?? [])
        queue.push({ dir: `${dir}/${name}`, path: `${path}/${name}` });
    }
    result.set(
      t.hierarchy,
      queue.length > MAX_SUBTREE ? { kind: 'too-large' } : { kind: 'listed', pids },
    );
  }
  return result;
}

/**
 * A member is in place in a hierarchy when it is in the target cgroup or below it (CRIU
 * freezes the whole subtree); a stray elsewhere.
 */
export function strayTargets(
  cgroups: Readonly<Places>,
  targets: readonly HerdTarget[],
): HerdTarget[] {
  return targets.filter((t) => {
    const current = cgroups[t.hierarchy];
    if (current === undefined) return false;
    return current === NOT_READ || !isAncestorOrSelf(t.path, current);
  });
}
