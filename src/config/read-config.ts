// Reads the config file's text: a regular file, owned by root and writable by no one
// else (root acts on what it says), at most CONFIG_SIZE_LIMIT bytes (a config is a few
// hundred; reading without a cap would let a huge or endless file stall every command),
// and without a UTF-8 byte-order mark, which editors on other systems add and which
// JSON.parse refuses.

import { cannotReadText } from '../validate/read-json.js';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { dirname } from 'node:path';
import { fdUntrustedBecause, OWNER_ADVICE, pathUntrustedBecause } from '../trust/owner.js';

export const CONFIG_SIZE_LIMIT = 64 * 1024;

const BOM = '\uFEFF';

export type ConfigText = { ok: true; text: string } | { ok: false; message: string };

export function stripBom(text: string): string {
  return text.startsWith(BOM) ? text.slice(BOM.length) : text;
}

export function readConfigText(path: string): ConfigText {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    return { ok: false, message: cannotReadText(path, error) };
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) return { ok: false, message: `${path} is not a regular file` };
    const untrusted = fdUntrustedBecause(path, fd) ?? pathUntrustedBecause(dirname(path));
    if (untrusted !== undefined) {
      return { ok: false, message: `refusing to read it: ${untrusted}; ${OWNER_ADVICE}` };
    }
    // One byte more than the limit: a file that grew after fstat is caught too.
    const buffer = Buffer.alloc(CONFIG_SIZE_LIMIT + 1);
    let length = 0;
    for (;;) {
      const n = readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) break;
      length += n;
      if (length === buffer.length) break;
    }
    if (length > CONFIG_SIZE_LIMIT || stats.size > CONFIG_SIZE_LIMIT) {
      return {
        ok: false,
        message: `${path} is ${Math.max(stats.size, length)} bytes; a config file may have at most ${CONFIG_SIZE_LIMIT}`,
      };
    }
    return { ok: true, text: stripBom(buffer.toString('utf8', 0, length)) };
  } catch (error) {
    return { ok: false, message: `cannot read ${path}: ${(error as Error).message}` };
  } finally {
    closeSync(fd);
  }
}
