// The debug log's file, opened safely: cgherd runs as root, and the log's path may sit in
// a directory someone else can write. Refused (no log, one warning) when its directory is
// unsafe (src/trust/directory.ts). The file itself is opened O_NOFOLLOW (a symlink at the
// path is never followed), O_APPEND, and created 0600.

import { closeSync, constants, fstatSync, openSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { makeSafeDirectory } from '../trust/directory.js';

export { unsafeDirectory } from '../trust/directory.js';

export type LogFile = { fd: number } | { refused: string };

export function openLogFile(path: string, euid: number): LogFile {
  try {
    // Checked, then opened, in the same real path: no folder is made, and no symlink
    // followed, where another user could have a say.
    const dir = makeSafeDirectory(dirname(path), euid);
    if ('refused' in dir) return { refused: `debug log ${path} refused: ${dir.refused}` };
    const fd = openSync(
      join(dir.real, basename(path)),
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
