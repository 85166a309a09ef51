// The debug log's file: a symlink at its path is never followed, a directory others can
// write is refused (no log, one warning), and the file is created 0600. Needs no root:
// the directories are the test's own (owned by the user running it).

import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { openDebugLog } from '../../src/runtime/debug-log.js';
import { unsafeDirectory } from '../../src/runtime/debug-log-file.js';

const base = mkdtempSync('/tmp/cgt-debuglog-');
chmodSync(base, 0o700);
test.after(() => rmSync(base, { recursive: true, force: true }));
const euid = process.geteuid?.() ?? 0;
const ENV = { DEBUG: 'cgherd:*' };

/** A fresh 0700 directory below the test's own 0700 base. */
function dir(name: string, mode = 0o700): string {
  const d = join(base, name);
  rmSync(d, { recursive: true, force: true });
  const made = mkdtempSync(`${d}-`);
  chmodSync(made, mode);
  return made;
}

test('control: a safe directory gets a 0600 log with the line', async () => {
  const d = dir('ok');
  const path = join(d, 'debug.log');
  const { log, warning } = await openDebugLog(ENV, path, 'cgherd:test', euid);
  assert.is(warning, undefined);
  log('hello %d', 42);
  assert.match(readFileSync(path, 'utf8'), /cgherd:test hello 42/);
  assert.is(statSync(path).mode & 0o777, 0o600);
});

test('a symlink at the log path is not followed, and one warning says so', async () => {
  const d = dir('link');
  const victim = join(d, 'victim');
  writeFileSync(victim, 'untouched\n');
  const path = join(d, 'debug.log');
  symlinkSync(victim, path);
  const { log, warning } = await openDebugLog(ENV, path, 'cgherd:test', euid);
  log('must not land in the victim');
  assert.is(readFileSync(victim, 'utf8'), 'untouched\n');
  assert.match(warning ?? '', /symbolic link/);
});

test('a world-writable parent directory is refused: no file, one warning', async () => {
  const d = dir('open', 0o777);
  chmodSync(d, 0o777); // whatever the umask said
  const path = join(d, 'debug.log');
  const { log, warning } = await openDebugLog(ENV, path, 'cgherd:test', euid);
  log('nothing');
  assert.not.ok(existsSync(path));
  assert.match(warning ?? '', /writable by others/);
});

test('a sticky world-writable directory (like /tmp) is refused too', async () => {
  const d = dir('sticky', 0o1777);
  chmodSync(d, 0o1777);
  const { warning } = await openDebugLog(ENV, join(d, 'debug.log'), 'cgherd:test', euid);
  assert.match(warning ?? '', /writable by others/);
});

test('a writable ancestor and a foreign owner are refused (pure check)', () => {
  const tree: Record<string, { uid: number; mode: number }> = {
    '/': { uid: 0, mode: 0o40755 },
    '/srv': { uid: 0, mode: 0o40775 },
    '/srv/log': { uid: 0, mode: 0o40700 },
    '/home': { uid: 0, mode: 0o40755 },
    '/home/u': { uid: 1000, mode: 0o40700 },
    '/run': { uid: 0, mode: 0o40755 },
    '/run/cgherd': { uid: 0, mode: 0o40700 },
    '/tmp': { uid: 0, mode: 0o41777 },
    '/tmp/own': { uid: 0, mode: 0o40700 },
  };
  const stat = (p: string) => tree[p] as { uid: number; mode: number };
  assert.match(unsafeDirectory('/srv/log', 0, stat) ?? '', /\/srv is writable by its group/);
  assert.match(unsafeDirectory('/home/u', 0, stat) ?? '', /belongs to uid 1000/);
  assert.is(unsafeDirectory('/home/u', 1000, stat), undefined, 'rootless: its own directory');
  assert.is(unsafeDirectory('/run/cgherd', 0, stat), undefined);
  assert.is(unsafeDirectory('/tmp/own', 0, stat), undefined, 'a sticky ancestor is fine');
  assert.match(unsafeDirectory('/tmp', 0, stat) ?? '', /writable by others/, 'not as the parent');
});

test('no debugging asked: nothing opened, no warning', async () => {
  const d = dir('off', 0o777);
  chmodSync(d, 0o777);
  const { warning } = await openDebugLog({}, join(d, 'debug.log'), 'cgherd:test', euid);
  assert.is(warning, undefined);
  assert.not.ok(existsSync(join(d, 'debug.log')));
});

test.run();
