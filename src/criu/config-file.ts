// The per-restore CRIU config file on disk: written (0600, in a directory only root
// reads) before the restore, named to the lower runtime through CRIU_CONFIG_FILE, and
// removed after it. Its text is config.ts's.
//
// Written under a temporary name and renamed: a write that fails (ENOSPC on a full /run)
// leaves nothing behind. A cgherd killed with SIGKILL cannot remove its file; each restore
// removes the files of restores whose cgherd is dead (the pid is in the name).
//
// CRIU runs as root and obeys the file (an `action-script` line runs a program): the
// folder must be one only root can change, or the restore goes on without the file (the
// herd still places the processes). The file is written in the folder's real path, the
// one that was checked.

import {
  closeSync,
  openSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { criuConfigText } from './config.js';
import { makeSafeDirectory } from '../trust/directory.js';

export const CRIU_CONFIG_DIR = '/run/cgherd/criu';

/** A file this module writes: the final name or the temporary one, with its writer's pid. */
const OWN_FILE = /^\.?restore-.*-(\d+)\.(conf|tmp)$/;

/** The pid of the cgherd that wrote `name`, when the name is one of ours. */
export function writerPid(name: string): number | undefined {
  const m = OWN_FILE.exec(name);
  const pid = m ? Number(m[1]) : NaN;
  return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists (not ours to signal).
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/** Removes the files left by restores whose cgherd is gone. Returns the names removed. */
export function removeOrphans(dir: string, isAlive: (pid: number) => boolean = alive): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const pid = writerPid(name);
    if (pid === undefined || pid === process.pid || isAlive(pid)) continue;
    try {
      rmSync(join(dir, name), { force: true });
      removed.push(name);
    } catch {
      // Another restore removed it first, or the directory is read-only: no harm.
    }
  }
  return removed;
}

/** Writes the file and returns its path. The caller's own file, if any, is carried over. */
export function writeRestoreConfig(
  dir: string,
  id: string,
  lines: readonly string[],
  callerConfig: string | undefined,
): string {
  const carried = callerConfig ? readFileSync(callerConfig, 'utf8') : undefined;
  const safe = makeSafeDirectory(dir, process.geteuid?.() ?? 0);
  if ('refused' in safe) throw new Error(`CRIU config folder ${dir} refused: ${safe.refused}`);
  removeOrphans(safe.real);
  const name = `restore-${id.replace(/[^\w.-]/g, '_')}-${process.pid}`;
  const file = join(safe.real, `${name}.conf`);
  const temp = join(safe.real, `.${name}.tmp`);
  try {
    const fd = openSync(temp, 'wx', 0o600);
    try {
      writeSync(fd, criuConfigText(lines, carried));
    } finally {
      closeSync(fd);
    }
    renameSync(temp, file);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
  return file;
}

export function removeRestoreConfig(file: string): void {
  rmSync(file, { force: true });
}
