// The cgroup CRIU re-creates for the dumped path on restore. Recorded before the restore
// (which of those paths did not exist), removed after the herd when empty. Never the
// container's own cgroup, never an ancestor of the caller's, never a root.

import type { HostIO } from '../proc/host.js';
import type { ProcCgroupLine } from '../proc/cgroup-file.js';
import type { CgroupMount } from '../proc/mountinfo.js';
import { mountedLines } from './hierarchy.js';
import { cgroupDir, isAncestorOrSelf, verifyCgroupDir } from './paths.js';

export interface RecordedPath {
  /** Controller field as /proc/<pid>/cgroup has it ('' for cgroup2). */
  controllers: string;
  hierarchy: string;
  /** The dumped cgroup path, and the paths above it that did not exist, deepest first. */
  created: string[];
  mount: CgroupMount;
}

function sameControllers(a: string, b: string): boolean {
  if (a === b) return true;
  const left = a.split(',').sort().join(',');
  return left !== '' && left === b.split(',').sort().join(',');
}

function parentPath(path: string): string {
  const cut = path.lastIndexOf('/');
  return cut <= 0 ? '/' : path.slice(0, cut);
}

/**
 * For each dumped (controller, path) in a mounted hierarchy: the chain of cgroups that do
 * not exist yet, i.e. the ones a restore would create.
 */
export function recordMissingCgroups(
  io: HostIO,
  mounts: readonly CgroupMount[],
  ownLines: readonly ProcCgroupLine[],
  dumped: readonly { name: string; path: string }[],
): RecordedPath[] {
  const { mounted } = mountedLines(mounts, ownLines);
  const recorded: RecordedPath[] = [];
  for (const { hierarchy } of mounted) {
    for (const entry of dumped) {
      if (!sameControllers(entry.name, hierarchy.controllers)) continue;
      const created: string[] = [];
      for (let path = entry.path; path !== '/'; path = parentPath(path)) {
        const resolved = cgroupDir(hierarchy.mount, path);
        if ('error' in resolved || io.exists(resolved.dir)) break;
        created.push(path);
      }
      if (created.length > 0) {
        recorded.push({
          controllers: hierarchy.controllers,
          hierarchy: hierarchy.name,
          created,
          mount: hierarchy.mount,
        });
      }
    }
  }
  return recorded;
}

export interface StaleRemoval {
  removed: string[];
  kept: { dir: string; reason: string }[];
}

/**
 * Removes the recorded cgroups that exist now, deepest first. The kernel refuses (EBUSY)
 * a cgroup with processes or children, which is what keeps a populated one.
 * `protect`: hierarchy -> cgroup paths that must survive with all their ancestors (the
 * container's cgroup, the caller's). `owner`: why a path belongs to someone else (under
 * systemd: a loaded unit's cgroup), which keeps it and its ancestors.
 */
export function removeStaleCgroups(
  io: HostIO,
  recorded: readonly RecordedPath[],
  protect: ReadonlyMap<string, readonly string[]>,
  owner?: (path: string) => string | undefined,
): StaleRemoval {
  const result: StaleRemoval = { removed: [], kept: [] };
  for (const entry of recorded) {
    const keep = protect.get(entry.hierarchy) ?? [];
    for (const path of entry.created) {
      const resolved = cgroupDir(entry.mount, path);
      if ('error' in resolved) {
        result.kept.push({ dir: path, reason: resolved.error });
        break;
      }
      const dir = resolved.dir;
      if (!io.exists(dir)) continue;
      if (path === '/' || keep.some((p) => isAncestorOrSelf(path, p))) {
        result.kept.push({ dir, reason: 'in use by the container or by cgherd' });
        break;
      }
      const owned = owner?.(path);
      if (owned !== undefined) {
        result.kept.push({ dir, reason: owned });
        break;
      }
      const bad = verifyCgroupDir(io, entry.mount, dir);
      if (bad) {
        result.kept.push({ dir, reason: bad });
        break;
      }
      const error = io.rmdir(dir);
      if (error) {
        result.kept.push({ dir, reason: `${error.code}: ${error.message}` });
        break;
      }
      result.removed.push(dir);
    }
  }
  return result;
}
