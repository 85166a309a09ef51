// Directories that root writes files into (the debug log, the per-restore CRIU config).
// A folder on the way that another user can change lets that user choose the file: point
// it elsewhere with a symlink, plant its own (a CRIU config's `action-script` runs as
// root). So the folder is made only below one proven safe, and the file is opened in the
// very path that was checked: the real path, with no symlink left to swap.

import { lstatSync, mkdirSync, realpathSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

export type StatOf = (path: string) => { uid: number; mode: number };

/** Why a directory (already resolved) is unsafe for a root-written file; undefined: safe.
 *  Unsafe: owned by a user other than root (or cgherd's own user, rootless), or writable
 *  by group or others, sticky or not (anyone could create the file's name there first);
 *  or a folder above that could be swapped: foreign, or group/other-writable without the
 *  sticky bit (a sticky /tmp above is fine: nobody else can rename what is in it). Given
 *  a path with symbolic links, this checks the folders that hold them. */
export function unsafeDirectory(
  dir: string,
  euid: number,
  statOf: StatOf = lstatSync,
): string | undefined {
  for (let current = dir; ; current = dirname(current)) {
    const { uid, mode } = statOf(current);
    // A symbolic link cannot be changed, only replaced through its folder (checked next);
    // where it leads is checked on the real path.
    if ((mode & 0o170000) === 0o120000) continue;
    if (uid !== 0 && uid !== euid) return `${current} belongs to uid ${uid}`;
    const sticky = current !== dir && (mode & 0o1000) !== 0;
    if ((mode & 0o022) !== 0 && !sticky) {
      return `${current} is writable by ${mode & 0o002 ? 'others' : 'its group'} (mode ${(mode & 0o7777).toString(8)})`;
    }
    if (current === '/' || current === '.') return undefined;
  }
}

export type SafeDirectory = { real: string } | { refused: string };

/**
 * `dir` made (missing folders 0700, one at a time) only below its nearest existing folder,
 * once that folder's real path has been proven safe; returns the real path to open files
 * in. Nothing is created anywhere another user could change.
 */
export function makeSafeDirectory(dir: string, euid: number): SafeDirectory {
  const missing: string[] = [];
  let existing = resolve(dir);
  for (;;) {
    try {
      lstatSync(existing);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || existing === '/') throw error;
      missing.unshift(basename(existing));
      existing = dirname(existing);
    }
  }
  // Both the path as given (its links sit in folders someone may change) and where it
  // leads.
  let real = realpathSync(existing);
  const unsafe = unsafeDirectory(existing, euid) ?? unsafeDirectory(real, euid);
  if (unsafe !== undefined) return { refused: unsafe };
  for (const name of missing) {
    real = join(real, name);
    try {
      mkdirSync(real, { mode: 0o700 });
    } catch (error) {
      // Made in between, by root or this user (no one else can write here): check it.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    if (!lstatSync(real).isDirectory()) return { refused: `${real} is not a directory` };
    const made = unsafeDirectory(real, euid);
    if (made !== undefined) return { refused: made };
  }
  return { real };
}
