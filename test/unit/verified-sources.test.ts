// A source file hashed this boot is not hashed again while it is unchanged
// (src/trust/verified-sources.ts): node:crypto then stays unloaded. Changed means a new
// identity (device, inode, size, mtime, ctime), and a record that another user could have
// written is not believed. Proof of what was believed is V8's own weakness: a cache made
// for another source of the same length runs that source's code (code-cache-trust.test
// .ts), so 'AAAA' from a file holding 'AAAC' means the cache named for 'AAAA' was used,
// i.e. the file was taken to hash as 'AAAA'.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import vm from 'node:vm';
import { loadCompiledFile } from '../../src/trust/compiled-script.js';
import { fileIdentity, verifiedSha256 } from '../../src/trust/verified-sources.js';

const base = mkdtempSync(join(tmpdir(), 'cgt-verified-'));
test.after(() => rmSync(base, { recursive: true, force: true }));

const source = (word: string): string =>
  `(function (module, exports, require) { module.exports = (() => '${word}')(); })`;
const A = source('AAAA');
const A2 = source('AAAC');
const sha = (text: string): string => createHash('sha256').update(text).digest('hex');

function cacheOf(text: string): Buffer {
  const script = new vm.Script(text, { filename: 'a.js' });
  script.runInThisContext();
  return script.createCachedData();
}

let n = 0;
/** A source file holding A, the build cache named for A, and a per-boot folder. */
function bed(): { file: string; cache: string; bootDir: string } {
  const dir = join(base, `bed${n++}`);
  const bootDir = join(dir, 'boot');
  mkdirSync(bootDir, { recursive: true, mode: 0o700 });
  // A file name of its own each time: V8 remembers what it compiled by source and name.
  const file = join(dir, `s${n}.source.js`);
  writeFileSync(file, A, { mode: 0o644 });
  const cache = join(dir, `s.${sha(A).slice(0, 16)}.v8cache`);
  writeFileSync(cache, cacheOf(A), { mode: 0o644 });
  return { file, cache, bootDir };
}

const identityOf = (file: string): string => fileIdentity(statSync(file, { bigint: true }));

function plantRecord(bootDir: string, file: string, mode: number): void {
  const record = { [file]: { identity: identityOf(file), sha256: sha(A) } };
  const path = join(bootDir, 'verified-sources.json');
  writeFileSync(path, JSON.stringify(record));
  chmodSync(path, mode);
}

test('the first load records the hash of the file as it is', () => {
  const { file, cache, bootDir } = bed();
  assert.is(loadCompiledFile(file, cache, bootDir), 'AAAA');
  assert.is(verifiedSha256(file, identityOf(file), bootDir), sha(A));
});

test('a file changed since it was recorded is hashed again', () => {
  const { file, cache, bootDir } = bed();
  assert.is(loadCompiledFile(file, cache, bootDir), 'AAAA');
  writeFileSync(file, A2);
  // Same length: only the hash tells A2 from the A the cache and the record were made for.
  assert.is(loadCompiledFile(file, cache, bootDir), 'AAAC');
  assert.is(verifiedSha256(file, identityOf(file), bootDir), undefined);
});

test('a trusted record is believed; one that others can write is not', () => {
  const { file, cache, bootDir } = bed();
  writeFileSync(file, A2);
  plantRecord(bootDir, file, 0o666);
  assert.is(loadCompiledFile(file, cache, bootDir), 'AAAC');
  // Control: the same record, root's and 0644 (only root could have written it).
  const again = file.replace(/\.source\.js$/, '-again.source.js');
  writeFileSync(again, A2, { mode: 0o644 });
  plantRecord(bootDir, again, 0o644);
  assert.is(loadCompiledFile(again, cache, bootDir), 'AAAA');
});

test('a record in a folder that others can write is not believed', () => {
  const { file, cache, bootDir } = bed();
  writeFileSync(file, A2);
  plantRecord(bootDir, file, 0o644);
  chmodSync(bootDir, 0o777);
  assert.is(loadCompiledFile(file, cache, bootDir), 'AAAC');
});

test.run();
