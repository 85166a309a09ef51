// The JSON syntax locator: where a broken file goes wrong, as line and column, and no
// false alarm on any valid document.

import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { findJsonSyntaxError, lineColumn } from '../../src/validate/json-syntax.js';

const REPO = fileURLToPath(new URL('../../..', import.meta.url));
const PODMAN = join(REPO, 'test/fixtures/oci-configs/podman-4.3.1');

const cases: [string, number, number, string][] = [
  // text, line, column, part of the message
  ['', 1, 1, 'unexpected end of input'],
  ['{"a": 1,}', 1, 9, 'expected a double-quoted property name'],
  ['{"a" 1}', 1, 6, "expected ':'"],
  ['abc', 1, 1, "unexpected 'a'"],
  ['{\n  "a": tru\n}', 2, 8, "unexpected 't'"],
  ['[1, 2', 1, 6, "unexpected end of input: expected ',' or ']'"],
  ['{"a": "x\ny"}', 1, 9, 'control character U+000a'],
  ['{"a": "\\x"}', 1, 8, 'bad escape'],
  ['{"a": 01}', 1, 8, "expected ',' or '}'"],
  ['{} {}', 1, 4, 'after the end of the JSON value'],
  ['\ufeff{}', 1, 1, 'U+feff'],
  ['{"a": [1, {"b": null}, ]}', 1, 24, "unexpected ']'"],
];

for (const [text, line, column, message] of cases) {
  test(`syntax error in ${JSON.stringify(text)}`, () => {
    assert.throws(() => JSON.parse(text));
    const found = findJsonSyntaxError(text);
    assert.ok(found, 'no error found');
    assert.is(found?.line, line);
    assert.is(found?.column, column);
    assert.match(found?.message ?? '', message);
  });
}

test('valid documents: no error, same verdict as JSON.parse', () => {
  const valid = [
    '{}',
    '[]',
    ' 0 ',
    '-1.5e+10',
    '"\\u00e9\\n"',
    'null',
    '{"a":[{"b":[true,false]}]}',
  ];
  for (const file of readdirSync(PODMAN)) valid.push(readFileSync(join(PODMAN, file), 'utf8'));
  for (const text of valid) {
    JSON.parse(text);
    assert.is(findJsonSyntaxError(text), undefined, text.slice(0, 40));
  }
});

test('deep nesting does not overflow the stack', () => {
  const text = '['.repeat(1_000_000);
  const found = findJsonSyntaxError(text);
  assert.is(found?.column, 1_000_001);
});

test('lineColumn counts from 1', () => {
  assert.equal(lineColumn('ab\ncd', 0), { line: 1, column: 1 });
  assert.equal(lineColumn('ab\ncd', 4), { line: 2, column: 2 });
});

test.run();
