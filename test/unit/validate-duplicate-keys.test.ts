// Duplicate keys: JSON.parse keeps the last, crun the first, so a config with one could
// pass validation and run as another. Refused on both validation paths, naming the
// pointer; no false alarm on real configs or on keys that only look alike.

import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { findDuplicateKey } from '../../src/validate/duplicate-keys.js';
import { checkOciConfigFile, validateOciConfigFile } from '../../src/validate/oci-config.js';
import { oneLineRefusal } from '../../src/validate/report.js';
import { readJsonFile } from '../../src/validate/read-json.js';
import { AMENDMENTS } from '../../src/validate/amendments.js';

const REPO = fileURLToPath(new URL('../../..', import.meta.url));
const PODMAN = join(REPO, 'test/fixtures/oci-configs/podman-4.3.1');
const dir = mkdtempSync(join(tmpdir(), 'cgt-val-dup-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

const found: [string, string, string][] = [
  // text, pointer, key
  ['{"a": 1, "a": 2}', '/a', 'a'],
  ['{"process": {"user": {"uid": 0, "gid": 0, "uid": 1}}}', '/process/user/uid', 'uid'],
  ['{"mounts": [{}, {"type": "bind"}, {"type": "x", "type": "y"}]}', '/mounts/2/type', 'type'],
  ['{"a": 1, "\\u0061": 2}', '/a', 'a'],
  ['{"a/b": {"c~d": 1, "c~d": 2}}', '/a~1b/c~0d', 'c~d'],
  ['[[1, 2], {"x": [3, {"k": 1, "k": 1}]}]', '/1/x/1/k', 'k'],
  ['{"s": "}{\\"\\\\", "s": 1}', '/s', 's'],
  ['{"__proto__": 1, "__proto__": 2}', '/__proto__', '__proto__'],
  ['{"": 1, "": 2}', '/', ''],
];

for (const [text, pointer, key] of found) {
  test(`duplicate in ${text}`, () => {
    JSON.parse(text);
    const dup = findDuplicateKey(text);
    assert.is(dup?.pointer, pointer);
    assert.is(dup?.key, key);
  });
}

const clean = [
  '{"a": 1, "b": {"a": 2}, "c": [{"a": 3}, {"a": 4}]}',
  '{"a": "\\"a\\": 1, \\"a\\": 2", "b": "{[,]}"}',
  '{"a\\\\": 1, "a": 2}',
  '{"A": 1, "a": 2}',
  '[]',
  '"{\\"a\\":1,\\"a\\":2}"',
  '{"a": [], "b": {}, "c": [[], {}]}',
];

for (const text of clean) {
  test(`no duplicate in ${text}`, () => {
    JSON.parse(text);
    assert.is(findDuplicateKey(text), undefined);
  });
}

test('no duplicate in any Podman fixture', () => {
  for (const file of readdirSync(PODMAN)) {
    assert.is(findDuplicateKey(readFileSync(join(PODMAN, file), 'utf8')), undefined, file);
  }
});

/** A random JSON value; objects get distinct keys (some of them escaped). */
function randomValue(depth: number, next: () => number): unknown {
  const pick = next() % (depth > 3 ? 3 : 6);
  if (pick === 0) return next() % 1000;
  // No '{' in strings: the injection below finds objects by '{"'.
  if (pick === 1) return ['x', '"q"', '\\', '}', ',', '[', ':'][next() % 7];
  if (pick === 2) return null;
  if (pick === 3) return Array.from({ length: next() % 4 }, () => randomValue(depth + 1, next));
  const object: Record<string, unknown> = {};
  for (let i = next() % 5; i > 0; i--) object[`k${next() % 7}/"~`] = randomValue(depth + 1, next);
  return object;
}

test('random documents: a duplicate is found exactly where it was put', () => {
  let seed = 7;
  const next = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
  let injected = 0;
  for (let n = 0; n < 2000; n++) {
    const text = JSON.stringify(randomValue(0, next));
    assert.is(findDuplicateKey(text), undefined, text);
    // Repeat the first member of the last object that has one.
    const at = text.lastIndexOf('{"');
    if (at < 0) continue;
    const keyEnd = text.indexOf('":', at);
    const key = text.slice(at + 1, keyEnd + 1);
    const twice = `${text.slice(0, at + 1)}${key}:0,${text.slice(at + 1)}`;
    JSON.parse(twice);
    const dup = findDuplicateKey(twice);
    assert.is(dup?.key, JSON.parse(key) as string, twice);
    assert.is(dup?.offset, at + 1 + key.length + 3, twice);
    injected++;
  }
  assert.ok(injected > 500, `only ${injected} documents had an object`);
});

function podmanWithDuplicate(): string {
  const text = readFileSync(join(PODMAN, 'default.json'), 'utf8');
  const config = JSON.parse(text) as { root: { path: string } };
  const root = `"root":{"path":${JSON.stringify(config.root.path)}`;
  assert.ok(text.includes(root));
  return text.replace(root, `"root":{"path":"/elsewhere",${root.slice('"root":{'.length)}`);
}

test('readJsonFile: kind duplicate, with pointer, line and column', () => {
  const file = join(dir, 'dup.json');
  writeFileSync(file, '{\n  "a": 1,\n  "b": {"c": 1,\n    "c": 2}\n}');
  const read = readJsonFile(file);
  if (read.ok || read.kind !== 'duplicate') throw new Error('expected a duplicate');
  assert.is(read.pointer, '/b/c');
  assert.equal([read.line, read.column], [4, 5]);
  assert.match(read.message, `${file} has the key "c" twice in one object, at /b/c (line 4`);
});

test('both validation paths refuse a Podman config with a second root.path', () => {
  const file = join(dir, 'config.json');
  writeFileSync(file, podmanWithDuplicate());
  for (const outcome of [checkOciConfigFile(file), validateOciConfigFile(file)]) {
    assert.is(outcome.ok, false);
    if (outcome.ok) continue;
    assert.is(outcome.kind, 'duplicate');
    assert.equal(outcome.issues[0]?.pointer, '/root/path');
    assert.is(outcome.issues[0]?.amendment, 'duplicate-keys');
    assert.match(oneLineRefusal(outcome), '/root/path');
  }
  assert.ok(AMENDMENTS.amendments.some((a) => a.id === 'duplicate-keys' && a.kind === 'refuse'));
});

test('control: the same config without the duplicate passes', () => {
  const file = join(dir, 'config-ok.json');
  writeFileSync(file, readFileSync(join(PODMAN, 'default.json')));
  assert.ok(checkOciConfigFile(file).ok);
  assert.ok(validateOciConfigFile(file).ok);
});

// Keys crun reads as C strings (issue 18): measured with crun 1.8.1 and 1.21 in
// test/integration/sec-c-string-keys.test.ts.
for (const [label, text, pointer] of [
  ['a NUL before a real key', String.raw`{"u": {"uid\u0000": 0, "uid": 1000}}`, '/u/uid\u0000'],
  ['a NUL key alone', String.raw`{"uid\u0000x": 0}`, '/uid\u0000x'],
  ['a lone high surrogate', String.raw`{"a\ud800": 1}`, '/a\ud800'],
  ['a lone low surrogate', String.raw`{"a\udc00": 1}`, '/a\udc00'],
  ['a high surrogate before a non-low escape', String.raw`{"a\ud800\u0041": 1}`, '/a\ud800A'],
] as const) {
  test(`a key crun reads as another: ${label}`, () => {
    const found = findDuplicateKey(text);
    assert.is(found?.problem, 'renamed');
    assert.is(found?.pointer, pointer);
  });
}

test('control: escaped keys crun reads alike are no problem (a pair, plain letters)', () => {
  assert.is(findDuplicateKey(String.raw`{"\ud83d\ude00": 1, "\u0061": 2, "b": 3}`), undefined);
});

test.run();
