// The container's members: the init's descendants, walked through the children files, and
// confirmed by a ppid scan of /proc (children files are only reliable for stopped tasks).

import type { HostIO } from '../proc/host.js';
import { listPids, readChildren, readCgroups, readStat } from '../proc/procfs.js';
import { isGone, type ProcStat } from '../proc/stat.js';
import { missedDescendants } from '../proc/tree.js';
import type { HerdSkip, HerdTarget } from './types.js';

export interface LiveMember {
  stat: ProcStat;
  /** hierarchy -> path for the target's hierarchies (missing: not in that hierarchy). */
  cgroups: Record<string, string>;
}

export interface Root {
  pid: number;
  /** The start time seen when the root was found: a different one means pid reuse. */
  startTime?: number;
}

/** controllers field -> hierarchy name, for the hierarchies herded. */
export function hierarchyIndex(targets: readonly HerdTarget[]): Map<string, string> {
  return new Map(targets.map((t) => [t.controllers, t.hierarchy]));
}

function readMemberCgroups(
  io: HostIO,
  pid: number,
  index: ReadonlyMap<string, string>,
): Record<string, string> | undefined {
  const lines = readCgroups(io, pid);
  if (lines === undefined) return undefined;
  const cgroups: Record<string, string> = {};
  for (const line of lines) {
    const name = index.get(line.controllers);
    if (name !== undefined) cgroups[name] = line.path;
  }
  return cgroups;
}

/**
 * Breadth-first walk from the roots. A child listed by a parent whose stat then names a
 * parent outside the walk is a recycled pid and is left out, as is a root whose start time
 * changed.
 */
export function walkMembers(
  io: HostIO,
  roots: readonly Root[],
  index: ReadonlyMap<string, string>,
  skipped: HerdSkip[],
): Map<number, LiveMember> {
  const members = new Map<number, LiveMember>();
  const queue: { pid: number; parent?: number; startTime?: number }[] = [...roots];
  for (let i = 0; i < queue.length; i++) {
    const { pid, parent, startTime } = queue[i] as (typeof queue)[number];
    if (members.has(pid)) continue;
    const stat = readStat(io, pid);
    if (!stat) {
      skipped.push({ pid, reason: 'exited' });
      continue;
    }
    const reused =
      (startTime !== undefined && stat.startTime !== startTime) ||
      (parent !== undefined && stat.ppid !== parent && !members.has(stat.ppid));
    if (reused) {
      skipped.push({ pid, reason: 'pid-reused' });
      continue;
    }
    const cgroups = readMemberCgroups(io, pid, index);
    if (!cgroups) {
      skipped.push({ pid, reason: 'exited' });
      continue;
    }
    members.set(pid, { stat, cgroups });
    if (isGone(stat)) continue;
    for (const child of readChildren(io, pid, stat.numThreads)) {
      if (!members.has(child)) queue.push({ pid: child, parent: pid });
    }
  }
  return members;
}

/**
 * Host-sized: one stat read per process outside the tree. Returns the descendants of the
 * members that the children files did not list, with their start times.
 */
export function ppidScan(io: HostIO, members: ReadonlyMap<number, LiveMember>): Root[] {
  const ppids = new Map<number, number>();
  const starts = new Map<number, number>();
  for (const [pid, member] of members) ppids.set(pid, member.stat.ppid);
  for (const pid of listPids(io)) {
    if (members.has(pid)) continue;
    const stat = readStat(io, pid);
    if (!stat) continue;
    ppids.set(pid, stat.ppid);
    starts.set(pid, stat.startTime);
  }
  const missed = missedDescendants(new Set(members.keys()), ppids);
  return missed.map((pid) => ({ pid, startTime: starts.get(pid) }));
}
