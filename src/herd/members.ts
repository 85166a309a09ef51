// The container's members: the init's descendants, walked through the children files (and
// confirmed by a ppid scan, in scan.ts: children files are only reliable for stopped tasks).

import { isAncestorOrSelf } from '../cgroup/paths.js';
import type { HostIO } from '../proc/host.js';
import { parsePidList, readCgroups } from '../proc/procfs.js';
import type { ProcStat } from '../proc/stat.js';
import type { HerdTarget } from './types.js';

export interface LiveMember {
  stat: ProcStat;
  /** hierarchy -> path for the target's hierarchies (missing: not in that hierarchy). */
  cgroups: Record<string, string>;
}

export interface Root {
  pid: number;
  /** The start time seen when the root was found: a different one means pid reuse. */
  startTime?: number;
  /** The parent that listed this pid in its children file. */
  parent?: number;
}

/**
 * The cgroup of a process known to be outside the target whose exact path was not read
 * (the herd reads it for the ppid scan, when asked for origins, in a dry run, or on a
 * failure).
 */
export const ELSEWHERE = '(elsewhere)';

/** controllers field -> hierarchy name, for the hierarchies herded. */
export function hierarchyIndex(targets: readonly HerdTarget[]): Map<string, string> {
  return new Map(targets.map((t) => [t.controllers, t.hierarchy]));
}

/** hierarchy -> path from /proc/<pid>/cgroup; undefined when the process is gone. */
export function readMemberCgroups(
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

/** Cgroups in a target's subtree beyond this many: fall back to /proc/<pid>/cgroup reads. */
const MAX_SUBTREE = 32;

/** pid -> cgroup path of the processes in place; 'all' when the target is a root. */
export type InPlace = Map<number, string> | 'all' | undefined;

/**
 * Who is in place, per hierarchy: pid -> cgroup path, for every pid in the target cgroup or
 * below it (CRIU freezes the whole subtree), from cgroup.procs files. One read per cgroup
 * (usually one per hierarchy) replaces a /proc/<pid>/cgroup read per process. 'all' for a
 * root target (everything is below it), undefined for a subtree too large to list.
 */
export function readInPlace(io: HostIO, targets: readonly HerdTarget[]): Map<string, InPlace> {
  const result = new Map<string, InPlace>();
  for (const t of targets) {
    if (t.path === '/') {
      result.set(t.hierarchy, 'all');
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
    result.set(t.hierarchy, queue.length > MAX_SUBTREE ? undefined : pids);
  }
  return result;
}

/**
 * A member is in place in a hierarchy when it is in the target cgroup or below it (CRIU
 * freezes the whole subtree); a stray elsewhere.
 */
export function strayTargets(
  cgroups: Readonly<Record<string, string>>,
  targets: readonly HerdTarget[],
): HerdTarget[] {
  return targets.filter((t) => {
    const current = cgroups[t.hierarchy];
    return current !== undefined && !isAncestorOrSelf(t.path, current);
  });
}
