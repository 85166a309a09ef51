// Issue 18, item 2: the folders root writes files into. The debug log's folder is made
// only below a folder proven safe (before: `mkdir -p` first, check after, so root made
// folders inside another user's directory, or wherever that user's symlink pointed), and
// the file is opened in the checked real path. The CRIU config folder (/run/cgherd/criu
// in production) must be root's and writable by no one else: CRIU obeys an
// `action-script` line as root, so a folder another user can write is refused, and the
// restore goes on without the file. Controls: a safe folder gets the file.

import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { writeRestoreConfig } from '../../src/criu/config-file.js';
import { openDebugLog } from '../../src/runtime/debug-log.js';

// An id with no passwd entry: "another user".
const OTHER = 4321;
const base = mkdtempSync('/tmp/cgt-rootdirs-');
chmodSync(base, 0o755);
test.after(() => rmSync(base, { recursive: true, force: true }));
const ENV = { DEBUG: 'cgherd:*' };

/** A folder owned by the other user, mode 0755: only that user can change it. */
function othersDir(name: string): string {
  const d = join(base, name);
  mkdirSync(d);
  chownSync(d, OTHER, OTHER);
  return d;
}

test('control: a debug log in missing folders below a safe one is made, 0700 folders', async () => {
  const safe = join(base, 'safe');
  mkdirSync(safe, { mode: 0o700 });
  const path = join(safe, 'a/b/debug.log');
  const { log, warning } = await openDebugLog(ENV, path, 'cgherd:test', 0);
  assert.is(warning, undefined);
  log('hello');
  assert.ok(existsSync(path));
  assert.is(
    (execFileSync('stat', ['-c', '%a', join(safe, 'a')], { encoding: 'utf8' }) as string).trim(),
    '700',
  );
});

test("debug log below another user's folder: refused, and no folder made there", async () => {
  const theirs = othersDir('theirs');
  const { warning } = await openDebugLog(ENV, join(theirs, 'x/y/debug.log'), 'cgherd:t', 0);
  assert.match(warning ?? '', /theirs belongs to uid 4321/);
  assert.equal(readdirSync(theirs), [], "root made folders inside the other user's folder");
});

test("debug log through another user's symlink: nothing made where it points", async () => {
  const theirs = othersDir('theirs2');
  const target = join(base, 'target');
  mkdirSync(target, { mode: 0o700 });
  // The other user's folder holds a link to a folder of root's: the check must be made on
  // the path followed, and nothing created before it.
  symlinkSync(target, join(theirs, 'link'));
  const { warning } = await openDebugLog(ENV, join(theirs, 'link/new/debug.log'), 'cgherd:t', 0);
  assert.ok(warning !== undefined, 'the log was opened');
  assert.equal(readdirSync(target), [], 'root made a folder where the link points');
});

test('control: the CRIU config is written in a safe folder, 0600', () => {
  const dir = join(base, 'criu-ok/criu');
  mkdirSync(join(base, 'criu-ok'), { mode: 0o700 });
  const file = writeRestoreConfig(dir, 'c1', ['cgroup-root :/c1'], undefined);
  assert.ok(file.startsWith(dir));
  assert.is(
    (execFileSync('stat', ['-c', '%a', file], { encoding: 'utf8' }) as string).trim(),
    '600',
  );
});

for (const [label, prepare] of [
  ['writable by others (mode 1777)', (d: string) => chmodSync(d, 0o1777)],
  ['writable by its group (mode 770)', (d: string) => chmodSync(d, 0o770)],
  ['owned by another user', (d: string) => chownSync(d, OTHER, OTHER)],
] as const) {
  test(`CRIU config folder ${label}: refused, no file written`, () => {
    const parent = mkdtempSync(join(base, 'criu-'));
    const dir = join(parent, 'criu');
    mkdirSync(dir, { mode: 0o700 });
    prepare(dir);
    assert.throws(
      () => writeRestoreConfig(dir, 'c1', ['cgroup-root :/c1'], undefined),
      /CRIU config folder .* refused/,
    );
    assert.equal(readdirSync(dir), []);
  });
}

test("CRIU config folder below another user's folder: refused, nothing made", () => {
  const theirs = othersDir('criu-theirs');
  assert.throws(
    () => writeRestoreConfig(join(theirs, 'cgherd/criu'), 'c1', ['x'], undefined),
    /belongs to uid 4321/,
  );
  assert.equal(readdirSync(theirs), []);
});

test.run();
