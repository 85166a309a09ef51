// Where the tree belongs: the init's own cgroup in every mounted hierarchy it is in.

import { mountedLines } from '../cgroup/hierarchy.js';
import { cgroupDir, isAncestorOrSelf, verifyCgroupDir } from '../cgroup/paths.js';
import { unitOfPath } from '../cgroup/systemd-units.js';
import type { HostIO } from '../proc/host.js';
import type { CgroupMount } from '../proc/mountinfo.js';
import { readCgroupMounts, readCgroups } from '../proc/procfs.js';
import { printable } from '../proc/printable.js';
import { HerdError, type HerdFailure, type HerdOptions, type HerdTarget } from './types.js';

/** The cgroup mounts the herd works through; a herd without them cannot start. */
export function herdMounts(io: HostIO): CgroupMount[] {
  const mounts = readCgroupMounts(io);
  if (mounts === undefined) throw new HerdError('ENOMOUNT', 'cannot read /proc/self/mountinfo');
  return mounts;
}

/** The recorded container cgroup path for one hierarchy, if the runtime recorded one. */
function recordedPath(
  mount: CgroupMount,
  recorded: HerdOptions['containerCgroup'],
): string | undefined {
  if (!recorded) return undefined;
  if (recorded.path !== undefined) return recorded.path;
  for (const dir of recorded.dirs ?? []) {
    if (dir !== mount.mountPoint && !dir.startsWith(`${mount.mountPoint}/`)) continue;
    const rel = dir.slice(mount.mountPoint.length);
    if (rel === '') return mount.root;
    return mount.root === '/' ? rel : `${mount.root}${rel}`;
  }
  return undefined;
}

/** The recorded path when it is a real cgroup directory of this mount, else undefined. */
function usableRecorded(
  io: HostIO,
  mount: CgroupMount,
  path: string | undefined,
): { path: string; dir: string } | undefined {
  if (path === undefined || path === '/') return undefined;
  const resolved = cgroupDir(mount, path);
  if ('error' in resolved) return undefined;
  if (verifyCgroupDir(io, mount, resolved.dir) !== undefined) return undefined;
  return { path, dir: resolved.dir };
}

/**
 * A recorded systemd scope whose init lives in a sub-cgroup of it: the scope delegates
 * (crun's `container` leaf), and on v2 a process may only live in a leaf, so the target is
 * the init's own cgroup, never the scope.
 */
function delegatesToInit(recordedPath: string, initPath: string): boolean {
  return (
    unitOfPath(recordedPath)?.endsWith('.scope') === true &&
    initPath !== recordedPath &&
    isAncestorOrSelf(recordedPath, initPath)
  );
}

export function resolveTargets(
  io: HostIO,
  mounts: readonly CgroupMount[],
  initPid: number,
  recorded?: HerdOptions['containerCgroup'],
): { targets: HerdTarget[]; failures: HerdFailure[] } {
  const lines = readCgroups(io, initPid);
  if (lines === undefined) {
    throw new HerdError('ENOINIT', `container init ${initPid} is not running`);
  }
  const { mounted, unreachable } = mountedLines(mounts, lines);
  const targets: HerdTarget[] = [];
  const failures: HerdFailure[] = unreachable.map(({ line, name }) => ({
    pid: initPid,
    hierarchy: name,
    path: line.path,
    code: 'EUNREACHABLE',
    message: printable(
      `the init's cgroup ${line.path} (${name}) is outside every mount of that hierarchy`,
    ),
  }));
  for (const { line, hierarchy } of mounted) {
    const fromRuntime = usableRecorded(
      io,
      hierarchy.mount,
      recordedPath(hierarchy.mount, recorded),
    );
    if (fromRuntime && !delegatesToInit(fromRuntime.path, line.path)) {
      targets.push({
        hierarchy: hierarchy.name,
        path: fromRuntime.path,
        mount: hierarchy.mount.mountPoint,
        dir: fromRuntime.dir,
        version: hierarchy.version,
        controllers: hierarchy.controllers,
        source: 'runtime',
      });
      continue;
    }
    const resolved = cgroupDir(hierarchy.mount, line.path);
    const problem =
      'error' in resolved ? resolved.error : verifyCgroupDir(io, hierarchy.mount, resolved.dir);
    if (problem !== undefined || 'error' in resolved) {
      failures.push({
        pid: initPid,
        hierarchy: hierarchy.name,
        path: line.path,
        code: 'EPATH',
        message: printable(`refusing cgroup ${line.path} (${hierarchy.name}): ${problem ?? ''}`),
      });
      continue;
    }
    targets.push({
      hierarchy: hierarchy.name,
      path: line.path,
      mount: hierarchy.mount.mountPoint,
      dir: resolved.dir,
      version: hierarchy.version,
      controllers: hierarchy.controllers,
      source: 'init',
    });
  }
  if (targets.length === 0 && failures.length === 0) {
    throw new HerdError(
      'ENOCGROUP',
      `container init ${initPid} is in no mounted cgroup hierarchy (no cgroup mount in /proc/self/mountinfo?)`,
    );
  }
  return { targets, failures };
}
