// What CRIU leaves on disk while it works: its log (crun names it dump.log or restore.log
// in --work-path) and the image files (in --image-path). Read with lstat only, never the
// contents: one look costs a readdir and a stat per file.

import { lstatSync, openSync, readSync, closeSync, readdirSync, fstatSync } from 'node:fs';
import { join } from 'node:path';

const MAX_ENTRIES = 20_000;

/** One string that changes whenever a file in `dirs` appears, goes, or changes size. */
export function filesFingerprint(dirs: readonly string[]): string {
  const parts: string[] = [];
  for (const dir of dirs) {
    let names: string[];
    try {
      names = readdirSync(dir).slice(0, MAX_ENTRIES);
    } catch {
      parts.push(`${dir}:-`);
      continue;
    }
    for (const name of names.sort()) {
      try {
        const s = lstatSync(join(dir, name));
        parts.push(`${dir}/${name}:${s.size}:${Math.trunc(s.mtimeMs)}`);
      } catch {
        // gone between readdir and lstat: the next look sees it gone
      }
    }
  }
  return parts.join('\n');
}

/** Pure: the last `n` non-empty lines of `text`. */
export function lastLines(text: string, n: number): string[] {
  return text
    .split('\n')
    .map((l) => l.trimEnd())
    .filter((l) => l.trim() !== '')
    .slice(-n);
}

/** The first of `files` that exists, with its last `n` lines (read from its last 16 KiB). */
export function logTail(
  files: readonly string[],
  n: number,
): { file: string; lines: string[] } | undefined {
  for (const file of files) {
    let fd: number;
    try {
      fd = openSync(file, 'r');
    } catch {
      continue;
    }
    try {
      const size = fstatSync(fd).size;
      const length = Math.min(size, 16 * 1024);
      const buffer = Buffer.alloc(length);
      const read = readSync(fd, buffer, 0, length, size - length);
      return { file, lines: lastLines(buffer.subarray(0, read).toString('utf8'), n) };
    } catch {
      continue;
    } finally {
      closeSync(fd);
    }
  }
  return undefined;
}
