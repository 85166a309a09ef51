// A V8 code cache holds code that runs, and V8 checks only the source's length against
// it. loadCompiledScript uses a cache only when its name carries the sha256 of the source
// actually loaded, and refuses one that another user can change. Control: V8 itself runs
// a same-length cache's code for another source.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import vm from 'node:vm';
import { loadCompiledScript } from '../../src/trust/compiled-script.js';

const dir = mkdtempSync(join(tmpdir(), 'cgt-v8cache-'));
const source = (word: string): string =>
  `(function (module, exports, require) { module.exports = (() => '${word}')(); })`;
const A = source('AAAA');
const B = source('BBBB');
const hash = (text: string): string => createHash('sha256').update(text).digest('hex').slice(0, 16);

function cacheOf(text: string): Buffer {
  const script = new vm.Script(text, { filename: 'a.js' });
  script.runInThisContext();
  return script.createCachedData();
}

test("control: V8 runs A's cached code for B's source of the same length", () => {
  assert.is(A.length, B.length);
  const script = new vm.Script(B, { filename: 'b.js', cachedData: cacheOf(A) });
  assert.is(script.cachedDataRejected, false);
  const module = { exports: '' as unknown };
  (script.runInThisContext() as (m: { exports: unknown }) => void)(module);
  assert.is(module.exports, 'AAAA');
});

test("a cache made for another source is ignored: B's own code runs", () => {
  const file = join(dir, `x.${hash(A)}.v8cache`);
  writeFileSync(file, cacheOf(A), { mode: 0o644 });
  assert.is(loadCompiledScript(B, 'b.js', file), 'BBBB');
});

test('a cache that others can write is refused, naming it', () => {
  const file = join(dir, `y.${hash(A)}.v8cache`);
  writeFileSync(file, cacheOf(A));
  chmodSync(file, 0o666);
  assert.throws(
    () => loadCompiledScript(A, 'a.js', file),
    (e: Error) => e.message.includes(`${file} is writable by its group`),
  );
  chmodSync(file, 0o644);
  assert.is(loadCompiledScript(A, 'a.js', file), 'AAAA');
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
