// Which mounted cgroup hierarchy each line of /proc/<pid>/cgroup belongs to. A hierarchy
// that is not mounted in cgherd's mount namespace does not count: the lower runtime does
// not use it either (the v1 runner hides cgroup2, the v2 runner hides every v1 tree).

import type { ProcCgroupLine } from '../proc/cgroup-file.js';
import type { CgroupMount } from '../proc/mountinfo.js';

export interface Hierarchy {
  /** Report name: the v1 controllers field ('cpu,cpuacct', 'name=systemd'), or 'unified'. */
  name: string;
  version: 1 | 2;
  /** The controllers field exactly as in /proc/<pid>/cgroup ('' for cgroup2). */
  controllers: string;
  mount: CgroupMount;
}

export const UNIFIED = 'unified';

function isUnifiedLine(line: ProcCgroupLine): boolean {
  return line.hierarchyId === 0 && line.controllers === '';
}

function covers(mount: CgroupMount, path: string): boolean {
  return mount.root === '/' || path === mount.root || path.startsWith(`${mount.root}/`);
}

function belongsTo(mount: CgroupMount, line: ProcCgroupLine): boolean {
  if (isUnifiedLine(line)) return mount.version === 2;
  if (mount.version !== 1 || line.controllers === '') return false;
  return line.controllers.split(',').every((controller) => mount.options.has(controller));
}

/**
 * The mount through which `line`'s path is reached: of the mounts of its hierarchy, the
 * last one in mountinfo (a later mount hides an earlier one at the same place) whose root
 * covers the path. `undefined` when the hierarchy is not mounted at all; `null` when it is
 * mounted but the path lies outside every mount of it.
 */
export function mountFor(
  mounts: readonly CgroupMount[],
  line: ProcCgroupLine,
): CgroupMount | undefined | null {
  const candidates = mounts.filter((mount) => belongsTo(mount, line));
  if (candidates.length === 0) return undefined;
  const usable = candidates.filter((mount) => covers(mount, line.path));
  return usable.at(-1) ?? null;
}

/** Super options of a v1 cgroup mount that are not controller names. */
const NOT_CONTROLLERS = new Set([
  'rw',
  'ro',
  'xattr',
  'noprefix',
  'clone_children',
  'cpuset_v2_mode',
]);

/**
 * A hierarchy's report name, from a /proc/<pid>/cgroup line or from a mount: the v1
 * controllers as the kernel lists them ('cpu,cpuacct', 'name=systemd'), or 'unified'.
 */
export function hierarchyName(of: ProcCgroupLine | CgroupMount): string {
  if ('mountPoint' in of) {
    if (of.version === 2) return UNIFIED;
    return [...of.options]
      .filter((o) => !NOT_CONTROLLERS.has(o) && !o.startsWith('release_agent='))
      .join(',');
  }
  return isUnifiedLine(of) ? UNIFIED : of.controllers;
}

export interface MountedLine {
  line: ProcCgroupLine;
  hierarchy: Hierarchy;
}

export interface UnreachableLine {
  line: ProcCgroupLine;
  name: string;
}

/** The lines of a /proc/<pid>/cgroup that are in a mounted hierarchy, with their mount. */
export function mountedLines(
  mounts: readonly CgroupMount[],
  lines: readonly ProcCgroupLine[],
): { mounted: MountedLine[]; unreachable: UnreachableLine[] } {
  const mounted: MountedLine[] = [];
  const unreachable: UnreachableLine[] = [];
  for (const line of lines) {
    const mount = mountFor(mounts, line);
    if (mount === undefined) continue;
    const name = hierarchyName(line);
    if (mount === null) {
      unreachable.push({ line, name });
      continue;
    }
    mounted.push({
      line,
      hierarchy: { name, version: mount.version, controllers: line.controllers, mount },
    });
  }
  return { mounted, unreachable };
}
