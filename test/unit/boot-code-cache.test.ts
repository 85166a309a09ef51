// The per-boot V8 code caches (src/trust/boot-code-cache.ts): a Node whose V8 rejects the
// build's cache (a tree built on another Node) leaves its own for the boot, and later
// calls use it; such a cache is code root runs, so one that another user can change, or
// one in a folder another user can change, is refused. Proof of use is V8's own
// weakness: a cache made for another source of the same length runs that source's code
// (code-cache-trust.test.ts shows it), so a 'BBBB' answer for source A means the per-boot
// cache was read. Control: the same files with safe modes load.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import vm from 'node:vm';
import { loadCompiledScript } from '../../src/trust/compiled-script.js';
import { bootCachePath } from '../../src/trust/boot-code-cache.js';

const base = mkdtempSync(join(tmpdir(), 'cgt-bootcache-'));
test.after(() => rmSync(base, { recursive: true, force: true }));

const source = (word: string): string =>
  `(function (module, exports, require) { module.exports = (() => '${word}')(); })`;
const A = source('AAAA');
const B = source('BBBB');
const hash = (text: string): string => createHash('sha256').update(text).digest('hex').slice(0, 16);
const buildFileFor = (text: string, dir: string): string => join(dir, `x.${hash(text)}.v8cache`);

function cacheOf(text: string): Buffer {
  const script = new vm.Script(text, { filename: 'a.js' });
  script.runInThisContext();
  return script.createCachedData();
}

let n = 0;
/** A fresh folder holding the build cache for A (`build`) and a per-boot folder. */
function bed(build: Buffer | undefined): { buildFile: string; bootDir: string } {
  const dir = join(base, `bed${n++}`);
  const bootDir = join(dir, 'boot');
  mkdirSync(bootDir, { recursive: true, mode: 0o700 });
  const buildFile = buildFileFor(A, dir);
  if (build !== undefined) writeFileSync(buildFile, build, { mode: 0o644 });
  return { buildFile, bootDir };
}

test('a per-boot cache comes before the build cache', () => {
  const { buildFile, bootDir } = bed(cacheOf(A));
  assert.is(loadCompiledScript(A, 'a.js', buildFile, bootDir), 'AAAA', 'control: no per-boot one');
  writeFileSync(bootCachePath(buildFile, bootDir), cacheOf(B), { mode: 0o644 });
  // Another file name: V8 keeps what it compiled by source and name, and would not look
  // at a cache for the same pair again.
  assert.is(loadCompiledScript(A, 'a-again.js', buildFile, bootDir), 'BBBB');
});

test('a per-boot cache made for another source is not used: its name carries the hash', () => {
  const { buildFile, bootDir } = bed(cacheOf(A));
  const other = source('AAAB');
  writeFileSync(bootCachePath(buildFileFor(other, base), bootDir), cacheOf(B), { mode: 0o644 });
  assert.is(loadCompiledScript(A, 'a.js', buildFile, bootDir), 'AAAA');
});

test('a per-boot cache that others can write is refused, naming it', () => {
  const { buildFile, bootDir } = bed(cacheOf(A));
  const file = bootCachePath(buildFile, bootDir);
  writeFileSync(file, cacheOf(A));
  chmodSync(file, 0o666);
  assert.throws(
    () => loadCompiledScript(A, 'a.js', buildFile, bootDir),
    (e: Error) => e.message.includes(`${file} is writable by its group`),
  );
  chmodSync(file, 0o644);
  assert.is(loadCompiledScript(A, 'a.js', buildFile, bootDir), 'AAAA', 'control');
});

test('a per-boot cache in a folder that others can write is refused, naming the folder', () => {
  const { buildFile, bootDir } = bed(cacheOf(A));
  writeFileSync(bootCachePath(buildFile, bootDir), cacheOf(A), { mode: 0o644 });
  chmodSync(bootDir, 0o777);
  assert.throws(
    () => loadCompiledScript(A, 'a.js', buildFile, bootDir),
    (e: Error) => e.message.includes(`${bootDir} is writable by others`),
  );
  chmodSync(bootDir, 0o700);
  assert.is(loadCompiledScript(A, 'a.js', buildFile, bootDir), 'AAAA', 'control');
});

/** Loads A in a Node process of its own (the per-boot cache is written on exit). */
function loadInChild(buildFile: string, bootDir: string): string {
  const module = new URL('../../src/trust/compiled-script.js', import.meta.url);
  const script = `import { loadCompiledScript } from ${JSON.stringify(module.href)};
    process.stdout.write(String(loadCompiledScript(${JSON.stringify(A)}, 'a.js', ${JSON.stringify(buildFile)}, ${JSON.stringify(bootDir)})));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
  });
  assert.is(r.status, 0, r.stderr);
  return r.stdout;
}

test('a build cache V8 rejects (another Node made it): the call leaves one this V8 takes', () => {
  const { buildFile, bootDir } = bed(Buffer.from('not a cache of this V8'));
  const file = bootCachePath(buildFile, bootDir);
  assert.is(loadInChild(buildFile, bootDir), 'AAAA');
  assert.ok(existsSync(file), 'no per-boot cache was written');
  const script = new vm.Script(A, { filename: 'a.js', cachedData: readFileSync(file) });
  assert.is(script.cachedDataRejected, false);
});

test('a build cache V8 takes: no per-boot cache is written', () => {
  const { buildFile, bootDir } = bed(cacheOf(A));
  assert.is(loadInChild(buildFile, bootDir), 'AAAA');
  assert.not.ok(existsSync(bootCachePath(buildFile, bootDir)));
});

test.run();
