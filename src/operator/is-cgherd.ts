// Is this runtime path cgherd itself? For the takeover's loop refusal and for doctor's
// report of a takeover. A path counts when it resolves to a launcher (this one, or any file
// named cgherd), or is a short script that execs one (the usual wrapper).

import { closeSync, openSync, readSync, realpathSync } from 'node:fs';
import { basename } from 'node:path';

function real(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}

function head(path: string, bytes: number): string {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const buf = Buffer.alloc(bytes);
    const n = readSync(fd, buf, 0, bytes, 0);
    return buf.subarray(0, n).toString('utf8');
  } catch {
    return '';
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** True for a `#!` script whose exec line runs a cgherd launcher. */
export function scriptExecsCgherd(text: string): boolean {
  if (!text.startsWith('#!')) return false;
  return /^\s*exec\s+(?:\S+\s+)*?['"]?[^\s'"]*\/cgherd['"]?(?:\s|$)/m.test(text);
}

export function isCgherd(path: string, launcher: string): boolean {
  const target = real(path);
  if (target === undefined) return false;
  if (target === real(launcher) || basename(target) === 'cgherd') return true;
  return scriptExecsCgherd(head(target, 4096));
}
