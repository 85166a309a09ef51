// A small TOML reader, enough for containers.conf: tables, dotted and quoted keys, strings
// (basic, literal, multi-line), numbers, booleans, arrays over several lines and inline
// tables. We only ever read these files; cgherd never rewrites a user's containers.conf,
// so there is no writer. Errors carry the line number, because an operator must find them.

export type TomlValue = string | number | boolean | TomlValue[] | TomlTable;
export interface TomlTable {
  [key: string]: TomlValue;
}

export class TomlError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(`line ${line}: ${message}`);
    this.name = 'TomlError';
  }
}

class Reader {
  pos = 0;
  constructor(readonly text: string) {}

  get line(): number {
    let n = 1;
    for (let i = 0; i < this.pos && i < this.text.length; i++) if (this.text[i] === '\n') n++;
    return n;
  }
  fail(message: string): never {
    throw new TomlError(message, this.line);
  }
  peek(offset = 0): string {
    return this.text[this.pos + offset] ?? '';
  }
  startsWith(s: string): boolean {
    return this.text.startsWith(s, this.pos);
  }
  eof(): boolean {
    return this.pos >= this.text.length;
  }
  /** Spaces and tabs only. */
  skipBlank(): void {
    while (this.peek() === ' ' || this.peek() === '\t') this.pos++;
  }
  skipComment(): void {
    if (this.peek() === '#') while (!this.eof() && this.peek() !== '\n') this.pos++;
  }
  /** Blank, newlines and comments: what may sit between array items. */
  skipAll(): void {
    for (;;) {
      this.skipBlank();
      this.skipComment();
      if (this.peek() === '\n' || this.peek() === '\r') this.pos++;
      else return;
    }
  }
  endOfLine(): void {
    this.skipBlank();
    this.skipComment();
    if (this.peek() === '\r') this.pos++;
    if (this.eof()) return;
    if (this.peek() !== '\n') this.fail(`unexpected ${JSON.stringify(this.peek())} after value`);
    this.pos++;
  }
}

const BARE_KEY = /[A-Za-z0-9_-]/;

function readKeyPart(r: Reader): string {
  r.skipBlank();
  const c = r.peek();
  if (c === '"') return readBasicString(r);
  if (c === "'") return readLiteralString(r);
  const start = r.pos;
  while (BARE_KEY.test(r.peek())) r.pos++;
  if (r.pos === start) r.fail(`expected a key, found ${JSON.stringify(c)}`);
  return r.text.slice(start, r.pos);
}

function readKey(r: Reader): string[] {
  const parts = [readKeyPart(r)];
  r.skipBlank();
  while (r.peek() === '.') {
    r.pos++;
    parts.push(readKeyPart(r));
    r.skipBlank();
  }
  return parts;
}

const ESCAPES: Readonly<Record<string, string>> = {
  b: '\b',
  t: '\t',
  n: '\n',
  f: '\f',
  r: '\r',
  '"': '"',
  '\\': '\\',
};

function readEscape(r: Reader): string {
  const c = r.peek();
  r.pos++;
  const simple = ESCAPES[c];
  if (simple !== undefined) return simple;
  if (c === 'u' || c === 'U') {
    const len = c === 'u' ? 4 : 8;
    const hex = r.text.slice(r.pos, r.pos + len);
    if (!/^[0-9A-Fa-f]+$/.test(hex) || hex.length !== len) r.fail('bad unicode escape');
    r.pos += len;
    return String.fromCodePoint(parseInt(hex, 16));
  }
  return r.fail(`bad escape \\${c}`);
}

function readBasicString(r: Reader): string {
  if (r.startsWith('"""')) return readMultiBasic(r);
  r.pos++;
  let out = '';
  for (;;) {
    const c = r.peek();
    if (r.eof() || c === '\n') r.fail('unterminated string');
    r.pos++;
    if (c === '"') return out;
    out += c === '\\' ? readEscape(r) : c;
  }
}

function readMultiBasic(r: Reader): string {
  r.pos += 3;
  if (r.peek() === '\n') r.pos++;
  else if (r.startsWith('\r\n')) r.pos += 2;
  let out = '';
  for (;;) {
    if (r.eof()) r.fail('unterminated multi-line string');
    if (r.startsWith('"""')) {
      r.pos += 3;
      return out;
    }
    const c = r.peek();
    r.pos++;
    if (c !== '\\') {
      out += c;
      continue;
    }
    // A backslash at the end of a line trims the newline and the leading blanks after it.
    if (/^[ \t]*\r?\n/.test(r.text.slice(r.pos, r.pos + 64))) {
      while (/[ \t\r\n]/.test(r.peek())) r.pos++;
      continue;
    }
    out += readEscape(r);
  }
}

function readLiteralString(r: Reader): string {
  if (r.startsWith("'''")) {
    r.pos += 3;
    if (r.peek() === '\n') r.pos++;
    const end = r.text.indexOf("'''", r.pos);
    if (end < 0) r.fail('unterminated multi-line literal string');
    const s = r.text.slice(r.pos, end);
    r.pos = end + 3;
    return s;
  }
  r.pos++;
  const end = r.text.indexOf("'", r.pos);
  const nl = r.text.indexOf('\n', r.pos);
  if (end < 0 || (nl >= 0 && nl < end)) r.fail('unterminated literal string');
  const s = r.text.slice(r.pos, end);
  r.pos = end + 1;
  return s;
}

function readArray(r: Reader): TomlValue[] {
  r.pos++;
  const items: TomlValue[] = [];
  for (;;) {
    r.skipAll();
    if (r.peek() === ']') {
      r.pos++;
      return items;
    }
    items.push(readValue(r));
    r.skipAll();
    if (r.peek() === ',') r.pos++;
    else if (r.peek() !== ']') r.fail('expected , or ] in array');
  }
}

function readInlineTable(r: Reader): TomlTable {
  r.pos++;
  const table: TomlTable = {};
  r.skipBlank();
  if (r.peek() === '}') {
    r.pos++;
    return table;
  }
  for (;;) {
    const key = readKey(r);
    if (r.peek() !== '=') r.fail('expected = in inline table');
    r.pos++;
    r.skipBlank();
    assign(r, table, key, readValue(r));
    r.skipBlank();
    if (r.peek() === ',') {
      r.pos++;
      continue;
    }
    if (r.peek() === '}') {
      r.pos++;
      return table;
    }
    r.fail('expected , or } in inline table');
  }
}

function readScalar(r: Reader): TomlValue {
  const start = r.pos;
  while (!r.eof() && !/[\s,\]}#]/.test(r.peek())) r.pos++;
  const word = r.text.slice(start, r.pos);
  if (word === 'true') return true;
  if (word === 'false') return false;
  const clean = word.replace(/_/g, '');
  if (/^[+-]?(0x[0-9a-fA-F]+|0o[0-7]+|0b[01]+)$/.test(clean)) return Number(clean);
  if (/^[+-]?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(clean)) return Number(clean);
  if (/^[+-]?(inf|nan)$/.test(clean))
    return clean.includes('nan') ? NaN : Number(clean.replace('inf', 'Infinity'));
  // Dates and times: kept as their text; containers.conf has none that cgherd reads.
  if (/^\d{4}-\d{2}-\d{2}/.test(word) || /^\d{2}:\d{2}/.test(word)) return word;
  return r.fail(`unexpected value ${JSON.stringify(word || r.peek())}`);
}

function readValue(r: Reader): TomlValue {
  const c = r.peek();
  if (c === '"') return readBasicString(r);
  if (c === "'") return readLiteralString(r);
  if (c === '[') return readArray(r);
  if (c === '{') return readInlineTable(r);
  return readScalar(r);
}

function isTable(v: TomlValue | undefined): v is TomlTable {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function descend(r: Reader, root: TomlTable, path: readonly string[]): TomlTable {
  let t = root;
  for (const part of path) {
    let next = t[part];
    if (next === undefined) {
      next = {};
      t[part] = next;
    } else if (Array.isArray(next)) {
      // [[array of tables]]: keys go to the last element.
      const last = next.at(-1);
      if (!isTable(last)) r.fail(`${part} is not a table`);
      next = last;
    }
    if (!isTable(next)) r.fail(`${part} is already a value, not a table`);
    t = next;
  }
  return t;
}

function assign(r: Reader, table: TomlTable, key: readonly string[], value: TomlValue): void {
  const parent = descend(r, table, key.slice(0, -1));
  const last = key.at(-1) as string;
  if (last in parent) r.fail(`duplicate key ${key.join('.')}`);
  parent[last] = value;
}

export function parseToml(text: string): TomlTable {
  const r = new Reader(text.startsWith('\uFEFF') ? text.slice(1) : text);
  const root: TomlTable = {};
  let current = root;
  for (;;) {
    r.skipAll();
    if (r.eof()) return root;
    if (r.startsWith('[[')) {
      r.pos += 2;
      const path = readKey(r);
      if (!r.startsWith(']]')) r.fail('expected ]]');
      r.pos += 2;
      const parent = descend(r, root, path.slice(0, -1));
      const name = path.at(-1) as string;
      const existing = parent[name] ?? [];
      if (!Array.isArray(existing)) r.fail(`${path.join('.')} is not an array of tables`);
      const list = existing as TomlValue[];
      const table: TomlTable = {};
      list.push(table);
      parent[name] = list;
      current = table;
    } else if (r.peek() === '[') {
      r.pos++;
      const path = readKey(r);
      if (r.peek() !== ']') r.fail('expected ]');
      r.pos++;
      current = descend(r, root, path);
    } else {
      const key = readKey(r);
      if (r.peek() !== '=') r.fail(`expected = after key ${key.join('.')}`);
      r.pos++;
      r.skipBlank();
      assign(r, current, key, readValue(r));
    }
    r.endOfLine();
  }
}

/** Follows a dotted path through nested tables. */
export function tomlGet(table: TomlTable, path: readonly string[]): TomlValue | undefined {
  let v: TomlValue | undefined = table;
  for (const part of path) {
    if (!isTable(v)) return undefined;
    v = v[part];
  }
  return v;
}
