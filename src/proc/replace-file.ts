// A file replaced whole: written under a temporary name in its own folder, fsynced, then
// renamed over the old one, so that a reader sees the old text or the new, never half.
// The caller has checked the folder (nobody else may write in it).

import { closeSync, constants, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';

/** Writes `text` to `path` with `mode`; returns why it could not, or undefined. */
export function replaceFile(path: string, text: string, mode: number): string | undefined {
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, mode);
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
    return undefined;
  } catch (error) {
    rmSync(tmp, { force: true });
    return `cannot write ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`;
  }
}
