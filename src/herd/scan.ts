// Confirming the tree: the children files are only reliable for stopped tasks, so a child
// forked during the walk may be missing from them. Such a child was born in its parent's
// cgroup, in every hierarchy: the target (or below it) once the parent was in place, or the
// cgroup the parent was in before it was moved (its origin). So the processes of those
// cgroups, in one hierarchy, are the only candidates, and the scan reads the ppid of those
// alone. Where that set cannot be listed, every process on the host is read instead.

import { isAncestorOrSelf, cgroupDir, type PathResult } from '../cgroup/paths.js';
import { mountFor, UNIFIED } from '../cgroup/hierarchy.js';
import type { HostIO } from '../proc/host.js';
import type { CgroupMount } from '../proc/mountinfo.js';
import { listPids, parsePidList, readStat, stillStartedAt } from '../proc/procfs.js';
import { missedWithParents, type ProcIdentity } from '../proc/tree.js';
import { NOT_READ, type LiveMember, type PidToVisit, type Places } from './members.js';
import type { HerdScan, HerdTarget } from './types.js';

/** Cgroups a scoped scan lists at most (target subtree and origins); beyond: the host. */
const MAX_SCAN_CGROUPS = 256;

/**
 * The hierarchy whose cgroups bound the scan. A root target holds the whole host and is
 * no bound at all. The lower runtime's recorded cgroup is exactly the container's; among
 * equals, the unified hierarchy (the only one on v2), else the first.
 */
export function scanHierarchy(targets: readonly HerdTarget[]): HerdTarget | undefined {
  const usable = targets.filter((t) => t.path !== '/');
  const recorded = usable.filter((t) => t.source === 'runtime');
  const pool = recorded.length > 0 ? recorded : usable;
  return pool.find((t) => t.hierarchy === UNIFIED) ?? pool[0];
}

/** The cgroup of a process in the scan's hierarchy, when it is an origin worth listing. */
export function originOf(target: HerdTarget, cgroups: Readonly<Places>): string | undefined {
  const path = cgroups[target.hierarchy];
  if (path === undefined || path === NOT_READ) return undefined;
  return isAncestorOrSelf(target.path, path) ? undefined : path;
}

/**
 * The directory of an origin cgroup (a path in the scan's hierarchy), refused when it
 * could lead outside a cgroup mount. Origins are only ever read, never written.
 */
export function originDir(
  target: HerdTarget,
  mounts: readonly CgroupMount[],
  origin: string,
): PathResult {
  const line = {
    hierarchyId: target.version === 2 ? 0 : -1,
    controllers: target.controllers,
    path: origin,
  };
  const mount = mountFor(mounts, line);
  if (!mount) return { error: `origin ${origin} is outside every mount of ${target.hierarchy}` };
  return cgroupDir(mount, origin);
}

interface Listing {
  dir: string;
  /** List the child cgroups too. */
  descend: boolean;
}

/** A cgroup.procs file's pids; undefined when the file does not exist. Throws otherwise. */
function procsOf(io: HostIO, dir: string): number[] | undefined {
  const text = io.readText(`${dir}/cgroup.procs`);
  return text === undefined ? undefined : parsePidList(text);
}

/**
 * Every pid in the target's subtree and in the origins (and below them), or why they
 * cannot be listed. Only read here, never written: the paths are still refused when they
 * could lead outside a cgroup mount.
 */
function scopedCandidates(
  io: HostIO,
  target: HerdTarget,
  mounts: readonly CgroupMount[],
  origins: Iterable<string>,
  deadline: number,
): Set<number> | string {
  const queue: Listing[] = [{ dir: target.dir, descend: true }];
  for (const origin of origins) {
    const resolved = originDir(target, mounts, origin);
    if ('error' in resolved) return resolved.error;
    // A child is born exactly where its parent is; the origin's child cgroups are listed
    // too, for the tree's processes that sat below it already (a nested cgroup that no
    // listed process was in). Not below the root or an ancestor of the target, though:
    // other containers live there.
    const descend = origin !== '/' && !isAncestorOrSelf(origin, target.path);
    queue.push({ dir: resolved.dir, descend });
  }
  const pids = new Set<number>();
  const listedDirs = new Set<string>();
  for (let i = 0; i < queue.length; i++) {
    const { dir, descend } = queue[i] as Listing;
    // One origin may lie below another.
    if (listedDirs.has(dir)) continue;
    listedDirs.add(dir);
    if (listedDirs.size > MAX_SCAN_CGROUPS) return `more than ${MAX_SCAN_CGROUPS} cgroups to list`;
    if (io.now() > deadline) return 'out of time listing cgroups';
    let listed: number[] | undefined;
    try {
      listed = procsOf(io, dir);
    } catch (error) {
      return `cannot read ${dir}/cgroup.procs: ${error instanceof Error ? error.message : String(error)}`;
    }
    if (listed === undefined) {
      // A cgroup is removed only when empty, and nothing can enter it after: no one there.
      if (io.exists(dir)) return `cannot read ${dir}/cgroup.procs`;
      continue;
    }
    for (const pid of listed) pids.add(pid);
    if (descend)
      for (const name of io.subdirs(dir) ?? []) queue.push({ dir: `${dir}/${name}`, descend });
  }
  return pids;
}

/**
 * The descendants of the members that the children files did not list, among `pids`, with
 * their start times. One stat read per pid that is not a member, and one more per parent
 * a find hangs from: a member's pid read by number may have been reused since the walk
 * saw it (and a candidate's since the scan read it), and the new owner's children are no
 * descendants. A parent is trusted once its pid still shows the start time recorded,
 * read after its children were (see missedWithParents). Stops at the deadline.
 */
function scanPpids(
  io: HostIO,
  members: ReadonlyMap<number, LiveMember>,
  pids: Iterable<number>,
  deadline: number,
): { missed: PidToVisit[]; statReads: number; outOfTime: boolean } {
  const procs = new Map<number, ProcIdentity>();
  let statReads = 0;
  for (const pid of pids) {
    if (members.has(pid)) continue;
    // A host-sized scan on a loaded host must not outlive the herd's limit.
    if (io.now() > deadline) return { missed: [], statReads, outOfTime: true };
    statReads++;
    const stat = readStat(io, pid);
    if (stat) procs.set(pid, { ppid: stat.ppid, startTime: stat.startTime });
  }
  const roots = new Map<number, number>();
  for (const [pid, member] of members) roots.set(pid, member.stat.startTime);
  const trusted = new Map<number, boolean>();
  for (;;) {
    const missed = missedWithParents(roots, procs);
    let distrusted = false;
    for (const { parent, parentStart } of missed) {
      if (trusted.has(parent)) continue;
      const same = stillStartedAt(io, parent, parentStart);
      trusted.set(parent, same);
      if (same) continue;
      // Reused: nothing hangs from it any more (it is not a member, nor a candidate).
      distrusted = true;
      roots.delete(parent);
      procs.delete(parent);
    }
    if (!distrusted) {
      return {
        missed: missed.map(({ pid, startTime }) => ({ pid, startTime })),
        statReads,
        outOfTime: false,
      };
    }
  }
}

export interface ScanScope {
  /** The scan's hierarchy; undefined: none can bound it (every target is a root). */
  target: HerdTarget | undefined;
  mounts: readonly CgroupMount[];
  /** Where the strays were, in that hierarchy, before they were moved. */
  origins: ReadonlySet<string>;
  /** The herd's deadline (io.now() scale): a scan past it stops and says so. */
  deadline: number;
}

/**
 * One confirmation scan: container-sized where the candidates can be listed, host-sized
 * (every pid in /proc) where they cannot; `into` keeps the count and the reason. A
 * container decides how many cgroups it makes below its own (delegation), so it can
 * always force the host-sized scan: one per herd, then no more scans (the walks go on).
 * Read-only, so stopping one early leaves nothing half-done; `outOfTime` says the tree is
 * unconfirmed.
 */
export function confirmTree(
  io: HostIO,
  members: ReadonlyMap<number, LiveMember>,
  scope: ScanScope,
  into: HerdScan,
): { missed: PidToVisit[]; outOfTime: boolean } {
  if (into.scope === 'host') {
    into.limited ??= 'one host-wide scan per herd: later scans skipped';
    return { missed: [], outOfTime: false };
  }
  const candidates = scope.target
    ? scopedCandidates(io, scope.target, scope.mounts, scope.origins, scope.deadline)
    : 'no target cgroup below the root of a hierarchy';
  const host = typeof candidates === 'string';
  const { missed, statReads, outOfTime } =
    io.now() > scope.deadline
      ? { missed: [], statReads: 0, outOfTime: true }
      : scanPpids(io, members, host ? listPids(io) : candidates, scope.deadline);
  into.scans++;
  into.statReads += statReads;
  if (host) {
    into.scope = 'host';
    into.fallback ??= candidates;
  }
  if (outOfTime) into.limited = 'out of time: the tree is unconfirmed';
  return { missed, outOfTime };
}
