// Crash-safe file changes for `cgherd install` (issue 11 item 11). A file is written to a
// temp file in its own directory, fsynced, read back and parsed, then renamed over the
// target and the directory fsynced: a crash leaves either the old file or the new one,
// never half of one. A file kept aside is hard-linked first, so at every instant it exists
// under at least one name, with its inode, mode and owner.

import {
  closeSync,
  fchmodSync,
  fsyncSync,
  linkSync,
  openSync,
  readFileSync,
  readdirSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { EXIT, OperatorError } from '../exit.js';

/** Called after each durable step; tests throw from it to stand for a crash there. */
export type StepHook = (step: string) => void;

export const noSteps: StepHook = () => undefined;

export function fsyncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function tempPrefix(path: string): string {
  return `.${basename(path)}.cgherd-tmp-`;
}

/** Temp files a crashed earlier run left next to `path` (Podman ignores them: no .conf). */
export function removeStaleTemps(path: string): void {
  const dir = dirname(path);
  const prefix = tempPrefix(path);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const n of names) if (n.startsWith(prefix)) unlinkSync(join(dir, n));
}

/**
 * Replaces `path` with `content` atomically. `parse` must throw on text the file's reader
 * would refuse; the target is only replaced once the bytes on disk read back identical and
 * parse.
 */
export function writeFileSafely(
  path: string,
  content: string,
  mode: number,
  parse: (text: string) => void,
  onStep: StepHook,
): void {
  const dir = dirname(path);
  removeStaleTemps(path);
  const tmp = join(dir, `${tempPrefix(path)}${process.pid}`);
  const fd = openSync(tmp, 'wx', mode);
  try {
    const bytes = Buffer.from(content, 'utf8');
    let off = 0;
    while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
    fchmodSync(fd, mode); // the umask must not decide the mode
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  onStep(`temp ${tmp} written`);
  const back = readFileSync(tmp, 'utf8');
  try {
    if (back !== content) throw new Error('the bytes read back differ from those written');
    parse(back);
  } catch (err) {
    unlinkSync(tmp);
    const why = err instanceof Error ? err.message : String(err);
    throw new OperatorError(`not writing ${path}: ${why}`, EXIT.CONFIG);
  }
  renameSync(tmp, path);
  fsyncDir(dir);
  onStep(`${path} replaced`);
  if (readFileSync(path, 'utf8') !== content) {
    throw new OperatorError(`${path} changed under cgherd while it was written`, EXIT.CONFIG);
  }
}

/** True when both names are the same inode (a keep-aside that completed before a crash). */
export function sameFile(a: string, b: string): boolean {
  try {
    const sa = statSync(a);
    const sb = statSync(b);
    return sa.ino === sb.ino && sa.dev === sb.dev;
  } catch {
    return false;
  }
}

/** Keeps `path` as `backup` (a second name for the same inode); fails if backup exists. */
export function keepAside(path: string, backup: string, onStep: StepHook): void {
  linkSync(path, backup);
  fsyncDir(dirname(path));
  onStep(`${path} kept as ${backup}`);
}

/** Puts a kept file back under its name, atomically. */
export function putBack(backup: string, path: string, onStep: StepHook): void {
  // rename(2) between two names of one inode does nothing (a keep-aside whose replacement
  // never came): the backup name must go instead.
  if (sameFile(backup, path)) unlinkSync(backup);
  else renameSync(backup, path);
  fsyncDir(dirname(path));
  onStep(`${backup} put back as ${path}`);
}

export function unlinkDurably(path: string, onStep: StepHook): void {
  try {
    unlinkSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  fsyncDir(dirname(path));
  onStep(`${path} removed`);
}
