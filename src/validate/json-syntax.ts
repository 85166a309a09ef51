// Finds where a JSON text first goes wrong. V8's JSON.parse messages only sometimes carry
// a position ("Unexpected token 'a', "abc" is not valid JSON" has none), and people fix
// files by line and column. Runs only after JSON.parse has failed, so its cost never
// touches a valid config. Iterative, so a deeply nested file cannot overflow the stack.

export interface JsonSyntaxError {
  /** UTF-16 offset into the text. */
  offset: number;
  line: number;
  column: number;
  message: string;
}

const WHITESPACE = new Set([0x20, 0x09, 0x0a, 0x0d]);
const ESCAPES = new Set(['"', '\\', '/', 'b', 'f', 'n', 'r', 't']);

export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

function describeAt(text: string, offset: number): string {
  if (offset >= text.length) return 'unexpected end of input';
  const code = text.codePointAt(offset) as number;
  const shown =
    code < 0x20 || code === 0xfeff
      ? `U+${code.toString(16).padStart(4, '0')}`
      : `'${String.fromCodePoint(code)}'`;
  return `unexpected ${shown}`;
}

/** Scans a string starting at the opening quote; returns the offset after it or an error. */
function scanString(text: string, start: number): number | { offset: number; message: string } {
  let i = start + 1;
  for (;;) {
    if (i >= text.length) return { offset: i, message: 'unterminated string' };
    const c = text.charCodeAt(i);
    if (c === 0x22) return i + 1;
    if (c < 0x20)
      return {
        offset: i,
        message: `control character U+${c.toString(16).padStart(4, '0')} in string`,
      };
    if (c === 0x5c) {
      const next = text[i + 1];
      if (next === 'u') {
        if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
          return { offset: i, message: 'bad \\u escape in string' };
        }
        i += 6;
        continue;
      }
      if (next === undefined || !ESCAPES.has(next))
        return { offset: i, message: 'bad escape in string' };
      i += 2;
      continue;
    }
    i++;
  }
}

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const LITERAL = /true|false|null/y;

/** Scans one scalar value at `at`; returns the offset after it or an error. */
function scanScalar(text: string, at: number): number | { offset: number; message: string } {
  if (text[at] === '"') return scanString(text, at);
  for (const pattern of [NUMBER, LITERAL]) {
    pattern.lastIndex = at;
    if (pattern.test(text)) return pattern.lastIndex;
  }
  return { offset: at, message: describeAt(text, at) };
}

type Frame = { kind: 'object' | 'array'; expect: 'first' | 'value' | 'key' | 'colon' | 'comma' };

/** Undefined when the text is valid JSON. */
export function findJsonSyntaxError(text: string): JsonSyntaxError | undefined {
  const fail = (offset: number, message: string): JsonSyntaxError => ({
    offset,
    ...lineColumn(text, offset),
    message,
  });
  const stack: Frame[] = [];
  let i = 0;
  const skipSpace = (): void => {
    while (i < text.length && WHITESPACE.has(text.charCodeAt(i))) i++;
  };
  let needValue = true;
  for (;;) {
    skipSpace();
    const top = stack.at(-1);
    if (needValue) {
      const c = text[i];
      if (c === '{' || c === '[') {
        stack.push({ kind: c === '{' ? 'object' : 'array', expect: 'first' });
        i++;
        needValue = false;
        continue;
      }
      const end = scanScalar(text, i);
      if (typeof end !== 'number') return fail(end.offset, end.message);
      i = end;
      needValue = false;
      if (top) top.expect = 'comma';
      continue;
    }
    if (!top) {
      return i < text.length
        ? fail(i, `${describeAt(text, i)} after the end of the JSON value`)
        : undefined;
    }
    const c = text[i];
    const close = top.kind === 'object' ? '}' : ']';
    if ((top.expect === 'first' || top.expect === 'comma') && c === close) {
      stack.pop();
      i++;
      const parent = stack.at(-1);
      if (parent) parent.expect = 'comma';
      continue;
    }
    if (top.expect === 'comma') {
      if (c !== ',') return fail(i, `${describeAt(text, i)}: expected ',' or '${close}'`);
      i++;
      if (top.kind === 'array') needValue = true;
      else top.expect = 'key';
      continue;
    }
    if (top.kind === 'array') {
      // expect === 'first', and not ']'
      needValue = true;
      continue;
    }
    if (top.expect === 'first' || top.expect === 'key') {
      if (c !== '"')
        return fail(i, `${describeAt(text, i)}: expected a double-quoted property name`);
      const end = scanString(text, i);
      if (typeof end !== 'number') return fail(end.offset, end.message);
      i = end;
      top.expect = 'colon';
      continue;
    }
    // expect === 'colon'
    if (c !== ':') return fail(i, `${describeAt(text, i)}: expected ':' after the property name`);
    i++;
    top.expect = 'value';
    needValue = true;
  }
}
