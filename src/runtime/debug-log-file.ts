// The debug log's file, opened safely: cgherd runs as root, and the log's path may sit in
// a directory someone else can write. Refused (no log, one warning) when its directory
// belongs to a user other than root (or cgherd's own user, rootless) or can be written by
// a group or others, sticky or not (anyone could create the log's name there first); or
// when a directory above it could be swapped: foreign, or group/other-writable without
// the sticky bit (a sticky /tmp above is fine: nobody else can rename what is in it). The
// file itself is opened O_NOFOLLOW (a symlink at the path is never followed), O_APPEND,
// and created 0600.

import {
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  mkdirSync,
  openSync,
  realpathSync,
} from 'node:fs';
import { dirname } from 'node:path';

export type LogFile = { fd: number } | { refused: string };

/** Why a directory (already resolved) is unsafe for a root-written file; undefined: safe. */
export function unsafeDirectory(
  dir: string,
  euid: number,
  statOf: (path: string) => { uid: number; mode: number } = lstatSync,
): string | undefined {
  for (let current = dir; ; current = dirname(current)) {
    const { uid, mode } = statOf(current);
    if (uid !== 0 && uid !== euid) return `${current} belongs to uid ${uid}`;
    const sticky = current !== dir && (mode & 0o1000) !== 0;
    if ((mode & 0o022) !== 0 && !sticky) {
      return `${current} is writable by ${mode & 0o002 ? 'others' : 'its group'} (mode ${(mode & 0o7777).toString(8)})`;
    }
    if (current === '/' || current === '.') return undefined;
  }
}

export function openLogFile(path: string, euid: number): LogFile {
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    const dir = realpathSync(dirname(path));
    const unsafe = unsafeDirectory(dir, euid);
    if (unsafe !== undefined) return { refused: `debug log ${path} refused: ${unsafe}` };
    const fd = openSync(
      path,
      constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW,
      0o600,
    );
    // A fifo or a device at the path (made by root, then) is no log either.
    if (!fstatSync(fd).isFile()) {
      closeSync(fd);
      return { refused: `debug log ${path} refused: not a regular file` };
    }
    return { fd };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ELOOP' ? 'it is a symbolic link' : (code ?? String(error));
    return { refused: `debug log ${path} refused: ${why}` };
  }
}
