// From a cgroup path (as /proc/<pid>/cgroup shows it) to a directory under a cgroup mount,
// refusing anything that could lead outside the mount: '..', '.', empty segments, NUL,
// paths outside the mount's root, and (with I/O) symlinks and non-cgroup filesystems.

import { CGROUP2_SUPER_MAGIC, CGROUP_SUPER_MAGIC, type HostIO } from '../proc/host.js';
import type { CgroupMount } from '../proc/mountinfo.js';

export type PathResult = { dir: string } | { error: string };

/** A cgroup path is absolute, normalised, and has no '.'/'..' segment. */
export function checkCgroupPath(path: string): string | undefined {
  if (!path.startsWith('/')) return `cgroup path ${JSON.stringify(path)} is not absolute`;
  if (path.includes('\0')) return 'cgroup path contains NUL';
  if (path === '/') return undefined;
  const segments = path.slice(1).split('/');
  for (const segment of segments) {
    if (segment === '' || segment === '.' || segment === '..') {
      return `cgroup path ${JSON.stringify(path)} is not a plain path (has '${segment}' segment)`;
    }
  }
  return undefined;
}

function within(parent: string, child: string): boolean {
  if (parent === '/') return child.startsWith('/');
  return child === parent || child.startsWith(`${parent}/`);
}

/** Pure: the directory for `path` inside `mount`, or why there is none. */
export function cgroupDir(mount: CgroupMount, path: string): PathResult {
  const bad = checkCgroupPath(path);
  if (bad) return { error: bad };
  const badPoint = checkCgroupPath(mount.mountPoint);
  if (badPoint) return { error: `mount point: ${badPoint}` };
  if (!within(mount.root, path)) {
    return { error: `cgroup path ${path} is outside the mount's root ${mount.root}` };
  }
  const rel = mount.root === '/' ? path : path.slice(mount.root.length);
  if (rel === '' || rel === '/') return { dir: mount.mountPoint };
  return { dir: mount.mountPoint === '/' ? rel : `${mount.mountPoint}${rel}` };
}

/**
 * With I/O: the directory resolves to itself under the resolved mount point (no symlink
 * anywhere on the way) and lives on a cgroup filesystem.
 */
export function verifyCgroupDir(io: HostIO, mount: CgroupMount, dir: string): string | undefined {
  const realMount = io.realpath(mount.mountPoint);
  if (realMount === undefined) return `mount point ${mount.mountPoint} does not resolve`;
  const real = io.realpath(dir);
  if (real === undefined) return `${dir} does not exist`;
  if (!within(realMount, real) || real !== dir.replace(mount.mountPoint, realMount)) {
    return `${dir} resolves to ${real}, outside the cgroup mount ${realMount}`;
  }
  const type = io.fsType(real);
  if (type !== CGROUP_SUPER_MAGIC && type !== CGROUP2_SUPER_MAGIC) {
    return `${real} is not on a cgroup filesystem`;
  }
  return undefined;
}

/** True when `maybeAncestor` is `path` or one of its parents (cgroup paths). */
export function isAncestorOrSelf(maybeAncestor: string, path: string): boolean {
  return within(maybeAncestor, path);
}
