// Reads a JSON file for validation and says precisely why it cannot be used: missing,
// a directory, unreadable, empty, or not JSON (with line and column). Nothing is ever
// written back: the lower runtime reads the original file itself.

import { readFileSync } from 'node:fs';
import { findJsonSyntaxError } from './json-syntax.js';

export type ReadJsonResult =
  | { ok: true; data: unknown }
  | { ok: false; kind: 'unreadable'; message: string }
  | { ok: false; kind: 'syntax'; message: string; line?: number; column?: number };

const ERRNO_TEXT: Readonly<Record<string, string>> = {
  ENOENT: 'no such file',
  EISDIR: 'is a directory, not a file',
  EACCES: 'permission denied',
  ENOTDIR: 'a component of the path is not a directory',
  ELOOP: 'too many symbolic links',
};

export function readJsonFile(path: string): ReadJsonResult {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    const why = ERRNO_TEXT[code] ?? (error instanceof Error ? error.message : String(error));
    return { ok: false, kind: 'unreadable', message: `cannot read ${path}: ${why}` };
  }
  if (text.trim() === '') return { ok: false, kind: 'syntax', message: `${path} is empty` };
  try {
    return { ok: true, data: JSON.parse(text) };
  } catch (error) {
    const found = findJsonSyntaxError(text);
    if (!found) {
      // The scanner and V8 disagree; V8's word is the one that counts.
      return {
        ok: false,
        kind: 'syntax',
        message: `${path} is not valid JSON: ${(error as Error).message}`,
      };
    }
    return {
      ok: false,
      kind: 'syntax',
      message: `${path} is not valid JSON: line ${found.line}, column ${found.column}: ${found.message}`,
      line: found.line,
      column: found.column,
    };
  }
}
