// The container's freezer, so that a failed or stopped checkpoint never leaves it frozen.
// CRIU freezes the container's cgroup while it seizes the tasks; a CRIU killed then leaves
// it frozen, and nothing else thaws it. Only a cgroup that was not frozen before the
// checkpoint is thawed: CRI-O and containerd pause a container before they checkpoint it,
// and that pause is theirs to undo.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mountedLines } from '../cgroup/hierarchy.js';
import { cgroupDir } from '../cgroup/paths.js';
import type { ProcCgroupLine } from '../proc/cgroup-file.js';
import type { CgroupMount } from '../proc/mountinfo.js';

export interface FreezerFile {
  path: string;
  version: 1 | 2;
}

/** Pure: the freezer control of the cgroup these lines name (v2's cgroup.freeze, else the
 *  v1 freezer hierarchy's freezer.state), among the mounted hierarchies. */
export function freezerFile(
  mounts: readonly CgroupMount[],
  lines: readonly ProcCgroupLine[],
): FreezerFile | undefined {
  const { mounted } = mountedLines(mounts, lines);
  const v2 = mounted.find((m) => m.hierarchy.version === 2);
  const v1 = mounted.find(
    (m) => m.hierarchy.version === 1 && m.line.controllers.split(',').includes('freezer'),
  );
  const pick = v1 ?? v2;
  if (pick === undefined) return undefined;
  const dir = cgroupDir(pick.hierarchy.mount, pick.line.path);
  if ('error' in dir) return undefined;
  return pick.hierarchy.version === 2
    ? { path: join(dir.dir, 'cgroup.freeze'), version: 2 }
    : { path: join(dir.dir, 'freezer.state'), version: 1 };
}

/** Pure: does the control's text mean frozen (or on the way there)? */
export function frozenText(version: 1 | 2, text: string): boolean {
  const t = text.trim();
  return version === 2 ? t === '1' : t === 'FROZEN' || t === 'FREEZING';
}

export function isFrozen(f: FreezerFile): boolean | undefined {
  try {
    return frozenText(f.version, readFileSync(f.path, 'utf8'));
  } catch {
    return undefined;
  }
}

/** Thaws; true when the cgroup was frozen and now is not. */
export function thawIfFrozen(f: FreezerFile): boolean {
  if (isFrozen(f) !== true) return false;
  try {
    writeFileSync(f.path, f.version === 2 ? '0' : 'THAWED');
  } catch {
    return false;
  }
  return isFrozen(f) === false;
}
