// Reads a JSON file for validation and says precisely why it cannot be used: missing,
// a directory, unreadable, empty, not JSON (with line and column), or JSON with a
// duplicate key (with its pointer), which parsers resolve differently. Nothing is ever
// written back: the lower runtime reads the original file itself.

import { readFileSync } from 'node:fs';
import { findDuplicateKey } from './duplicate-keys.js';
import { lineColumn, locateJsonSyntaxError } from './json-syntax.js';

export type ReadJsonResult =
  | { ok: true; data: unknown }
  | { ok: false; kind: 'unreadable'; message: string }
  | { ok: false; kind: 'syntax'; message: string; line?: number; column?: number }
  | {
      ok: false;
      kind: 'duplicate';
      message: string;
      /** JSON pointer of the second occurrence, or of the renamed key. */
      pointer: string;
      /** The amendment row that explains the refusal. */
      amendment: 'duplicate-keys' | 'keys-crun-renames';
      line: number;
      column: number;
    };

const ERRNO_TEXT: Readonly<Record<string, string>> = {
  ENOENT: 'no such file',
  EISDIR: 'is a directory, not a file',
  EACCES: 'permission denied',
  ENOTDIR: 'a component of the path is not a directory',
  ELOOP: 'too many symbolic links',
};

/** "cannot read PATH: why", in words for the usual errno codes. */
export function cannotReadText(path: string, error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code ?? '';
  const why = ERRNO_TEXT[code] ?? (error instanceof Error ? error.message : String(error));
  return `cannot read ${path}: ${why}`;
}

/** `readText` reads the file: a caller that has already read it passes its cached text. */
export function readJsonFile(
  path: string,
  readText: () => string = () => readFileSync(path, 'utf8'),
): ReadJsonResult {
  let text: string;
  try {
    text = readText();
  } catch (error) {
    return { ok: false, kind: 'unreadable', message: cannotReadText(path, error) };
  }
  return parseJsonText(path, text);
}

/** The same checks on text already read (`path` names it in messages). */
export function parseJsonText(path: string, text: string): ReadJsonResult {
  if (text.trim() === '') return { ok: false, kind: 'syntax', message: `${path} is empty` };
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    return syntaxError(path, text, (error as Error).message);
  }
  const duplicate = findDuplicateKey(text);
  if (duplicate) {
    const at = lineColumn(text, duplicate.offset);
    return {
      ok: false,
      kind: 'duplicate',
      message:
        duplicate.problem === 'twice'
          ? `${path} has the key ${JSON.stringify(duplicate.key)} twice in one object, at ` +
            `${duplicate.pointer} (line ${at.line}, column ${at.column}): parsers disagree on ` +
            'which one counts (JSON.parse keeps the last, crun the first)'
          : `${path} has the key ${JSON.stringify(duplicate.key)} at ${duplicate.pointer} ` +
            `(line ${at.line}, column ${at.column}): crun reads keys as C strings, cut at ` +
            'U+0000 and with a lone surrogate replaced, so it would read another key than ' +
            'JSON.parse does',
      amendment: duplicate.problem === 'twice' ? 'duplicate-keys' : 'keys-crun-renames',
      pointer: duplicate.pointer,
      ...at,
    };
  }
  return { ok: true, data };
}

function syntaxError(path: string, text: string, v8Message: string): ReadJsonResult {
  const found = locateJsonSyntaxError(text, v8Message);
  if (!found) {
    return { ok: false, kind: 'syntax', message: `${path} is not valid JSON: ${v8Message}` };
  }
  return {
    ok: false,
    kind: 'syntax',
    message: `${path} is not valid JSON: line ${found.line}, column ${found.column}: ${found.message}`,
    line: found.line,
    column: found.column,
  };
}
