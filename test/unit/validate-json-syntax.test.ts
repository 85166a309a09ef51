// Where a broken config goes wrong: one case per class of broken input, each with the
// exact line and column, and a message that says what is wrong there. jsonc-parser is
// loaded only for a broken file.

import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { lineColumn, locateJsonSyntaxError, v8Parts } from '../../src/validate/json-syntax.js';
import { readJsonFile } from '../../src/validate/read-json.js';

const REPO = fileURLToPath(new URL('../../..', import.meta.url));
const PODMAN = join(REPO, 'test/fixtures/oci-configs/podman-4.3.1');

// class: [text, line, column, part of the message]
const CLASSES: Record<string, [string, number, number, string]> = {
  blank: [' ', 1, 2, 'unexpected end of input: expected a value'],
  trailingCommaObject: ['{"a": 1,}', 1, 9, "unexpected '}': expected double-quoted property name"],
  trailingCommaArray: ['[1, 2,]', 1, 7, "unexpected ']': expected a value"],
  missingColon: ['{"a" 1}', 1, 6, "unexpected '1': expected ':'"],
  bareWord: ['abc', 1, 1, "unexpected 'a': not a JSON value"],
  misspelledLiteral: ['{\n  "a": tru\n}', 2, 8, "unexpected 't': not a JSON value"],
  unterminatedArray: ['[1, 2', 1, 6, "unexpected end of input: expected ',' or ']'"],
  unterminatedObject: ['{"a": 1', 1, 8, "unexpected end of input: expected ',' or '}'"],
  unterminatedString: ['{"a": "xy', 1, 10, 'unterminated string'],
  controlCharInString: ['{"a": "x\ny"}', 1, 9, 'unexpected U+000a: bad control character'],
  badEscape: ['{"a": "\\x"}', 1, 9, "unexpected 'x': bad escaped character"],
  badUnicodeEscape: ['{"a": "\\u12g4"}', 1, 12, "unexpected 'g': bad Unicode escape"],
  leadingZero: ['{"a": 01}', 1, 8, "unexpected '1': expected ','"],
  textAfterValue: ['{} {}', 1, 4, 'text after the end of the JSON value'],
  byteOrderMark: ['\ufeff{}', 1, 1, 'unexpected U+feff'],
  lineComment: ['{"a": 1 // c\n}', 1, 9, 'comments are not JSON'],
  blockComment: ['/* x */ {}', 1, 1, 'comments are not JSON'],
  singleQuotes: ["{'a': 1}", 1, 2, "unexpected '''"],
  nan: ['{"a": NaN}', 1, 7, "unexpected 'N': not a JSON value"],
  negativeInfinity: ['[-Infinity]', 1, 3, "unexpected 'I': no number after minus sign"],
  hexNumber: ['{"a": 0x10}', 1, 8, "unexpected 'x'"],
  plusSign: ['[+1]', 1, 2, "unexpected '+'"],
  leadingDot: ['[.5]', 1, 2, "unexpected '.'"],
  incompleteExponent: ['[1e]', 1, 4, 'exponent part is missing'],
  loneMinus: ['[-]', 1, 3, 'no number after minus sign'],
  missingCommaMembers: ['{"a": "b" "c": 1}', 1, 11, "unexpected '\"': expected ',' or '}'"],
  missingCommaArray: ['[1 2]', 1, 4, "unexpected '2': expected ',' or ']'"],
  doubleComma: ['[1,,2]', 1, 4, "unexpected ',': expected a value"],
  unquotedKey: ['{a: 1}', 1, 2, "unexpected 'a'"],
  mismatchedClose: ['[1}', 1, 3, "unexpected '}': expected ',' or ']'"],
  nulAfterValue: ['{"a":1}\u0000', 1, 8, 'unexpected U+0000'],
  deepInFile: ['{\n "a": {\n  "b": [\n   1,\n   2 3\n  ]\n }\n}', 5, 6, "unexpected '3'"],
};

function v8MessageOf(text: string): string {
  try {
    JSON.parse(text);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error(`JSON.parse accepts ${JSON.stringify(text)}`);
}

// First, before any test below loads it.
test('valid configs never load jsonc-parser', () => {
  const require = createRequire(import.meta.url);
  const loaded = (): boolean => Object.keys(require.cache).some((k) => k.includes('jsonc-parser'));
  for (const file of readdirSync(PODMAN)) {
    const read = readJsonFile(join(PODMAN, file));
    assert.ok(read.ok, file);
  }
  assert.is(loaded(), false);
  locateJsonSyntaxError('[', v8MessageOf('['));
  assert.is(loaded(), true, 'control: a broken text does load it');
});

for (const [name, [text, line, column, message]] of Object.entries(CLASSES)) {
  test(`${name}: line ${line}, column ${column}`, () => {
    const v8 = v8MessageOf(text);
    const found = locateJsonSyntaxError(text, v8);
    assert.ok(found, 'not located');
    assert.is(found?.line, line, found?.message);
    assert.is(found?.column, column, found?.message);
    assert.match(found?.message ?? '', message);
    // Where V8 names a position itself, ours is that very one.
    const at = v8Parts(v8).position;
    if (at !== undefined) assert.is(found?.offset, at);
  });
}

test('the classes are told apart: single-line cases do not share one position', () => {
  const oneLine = Object.values(CLASSES).filter(([text]) => !text.includes('\n'));
  const offsets = new Map<number, number>();
  for (const [text] of oneLine) {
    const at = locateJsonSyntaxError(text, v8MessageOf(text))?.offset ?? -1;
    offsets.set(at, (offsets.get(at) ?? 0) + 1);
  }
  // 9 distinct positions over 29 inputs that are 3 to 17 characters long.
  assert.ok(offsets.size >= 9, JSON.stringify([...offsets]));
});

test("Node 18's wording (every message has a position) is read too", () => {
  const found = locateJsonSyntaxError('[1}', 'Unexpected token } in JSON at position 2');
  assert.is(found?.column, 3);
  assert.match(found?.message ?? '', "unexpected '}'");
});

test('a message with no position and a text jsonc-parser accepts: nothing to locate', () => {
  assert.is(locateJsonSyntaxError('{}', 'Unexpected token'), undefined);
});

test('readJsonFile: the file, line and column in one message', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cgt-val-syntax-'));
  try {
    const file = join(dir, 'config.json');
    writeFileSync(file, '{\n  "ociVersion": "1.0.0",\n  "process": {"cwd": "/",}\n}');
    const read = readJsonFile(file);
    assert.is(read.ok, false);
    if (read.ok || read.kind !== 'syntax') throw new Error('expected a syntax error');
    assert.is(read.line, 3);
    assert.is(read.column, 26);
    assert.match(read.message, `${file} is not valid JSON: line 3, column 26: unexpected '}'`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('lineColumn counts from 1', () => {
  assert.equal(lineColumn('ab\ncd', 0), { line: 1, column: 1 });
  assert.equal(lineColumn('ab\ncd', 4), { line: 2, column: 2 });
});

test('hostile nesting: no crash, V8 has the last word', () => {
  const text = '['.repeat(1_000_000);
  const v8 = v8MessageOf(text);
  const found = locateJsonSyntaxError(text, v8);
  // jsonc-parser recurses and overflows here; what it found before that, if anything,
  // is kept, else the caller prints V8's message.
  if (found) assert.ok(found.offset <= text.length);
  const dir = mkdtempSync(join(tmpdir(), 'cgt-val-deep-'));
  try {
    writeFileSync(join(dir, 'c.json'), text);
    const read = readJsonFile(join(dir, 'c.json'));
    assert.is(read.ok, false);
    if (!read.ok) assert.match(read.message, 'is not valid JSON');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
