// Issue 21, item 1: the launcher's pass-through reads the lower runtime from the config
// file, and whatever makes it trust that file must see every change on the very next call,
// however cheap the pass-through becomes. Each test first lets a pass-through run the
// runtime the file names (fake-a, which prints its own path), then changes one thing and
// makes one more call:
//   - the content, in place, with the old mtime put back (a cache keyed on mtime misses it);
//   - the file replaced by rename with one of an older mtime and another inode;
//   - the file made writable by its group, then by others (chmod: ctime changes, mtime
//     does not), its owner changed to a normal user (chown), and the same for its folder.
// fake-a and fake-b have names of one length, so the file's size never changes either.
// A file root may not trust goes to Node, which ignores it with one warning line naming
// the file and why (README, "Configuration"), never to the runtime it names.

import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  mkdirSync,
  mkdtempSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CGHERD_BIN } from '../lib/bed/bed.js';

const NOBODY = 65534;
const base = mkdtempSync('/tmp/cgt-conf-next-');
chmodSync(base, 0o755);
const fakeA = join(base, 'fake-a');
const fakeB = join(base, 'fake-b');
for (const fake of [fakeA, fakeB]) {
  writeFileSync(fake, '#!/bin/sh\nprintf "lower=%s\\n" "$0"\n', { mode: 0o755 });
}
let round = 0;

test.after(() => rmSync(base, { recursive: true, force: true }));

interface Answer {
  out: string;
  err: string;
}

/** `cgherd --version` is a pass-through: the launcher runs the lower runtime's own. */
function call(conf: string): Answer {
  const env: Record<string, string> = { CGHERD_CONFIG: conf };
  const r = spawnSync(CGHERD_BIN, ['--version'], { env, encoding: 'utf8' });
  return { out: r.stdout, err: r.stderr };
}

function naming(runtime: string): string {
  return `{"runtime": "${runtime}"}\n`;
}

/** A fresh folder (root's, 0755) with a config naming fake-a (root's, 0644), which the
 *  pass-through has just used: whatever it may remember, it has seen this file. */
function trustedConfig(): { dir: string; conf: string } {
  const dir = join(base, `case-${round++}`);
  mkdirSync(dir, { mode: 0o755 });
  const conf = join(dir, 'config.json');
  writeFileSync(conf, naming(fakeA), { mode: 0o644 });
  const first = call(conf);
  assert.match(first.out, `lower=${fakeA}`);
  assert.is(first.err, '');
  // Twice: a launcher that keeps what it checked has now also used what it kept.
  const second = call(conf);
  assert.match(second.out, `lower=${fakeA}`);
  return { dir, conf };
}

function assertIgnored(next: Answer, conf: string, why: RegExp): void {
  assert.not.match(next.out, `lower=${fakeA}`, 'the untrusted file still chose the runtime');
  assert.match(next.err, `ignoring the broken config file: ${conf}`);
  assert.match(next.err, why);
}

test('content changed in place, mtime put back: the next call runs the new runtime', () => {
  const { conf } = trustedConfig();
  const before = statSync(conf);
  writeFileSync(conf, naming(fakeB));
  utimesSync(conf, before.atime, before.mtime);
  assert.match(call(conf).out, `lower=${fakeB}`);
});

test('replaced by rename with an older file: the next call runs the new runtime', () => {
  const { dir, conf } = trustedConfig();
  const replacement = join(dir, 'config.json.new');
  writeFileSync(replacement, naming(fakeB), { mode: 0o644 });
  const older = new Date(statSync(conf).mtimeMs - 60_000);
  utimesSync(replacement, older, older);
  renameSync(replacement, conf);
  assert.match(call(conf).out, `lower=${fakeB}`);
});

test('made writable by its group: the next call ignores it', () => {
  const { conf } = trustedConfig();
  chmodSync(conf, 0o664);
  assertIgnored(call(conf), conf, /writable by its group/);
});

test('made writable by others: the next call ignores it', () => {
  const { conf } = trustedConfig();
  chmodSync(conf, 0o646);
  assertIgnored(call(conf), conf, /writable by others/);
});

test('owner changed to a normal user: the next call ignores it', () => {
  const { conf } = trustedConfig();
  chownSync(conf, NOBODY, NOBODY);
  assertIgnored(call(conf), conf, new RegExp(`owned by uid ${NOBODY}`));
});

test('its folder made writable by its group: the next call ignores the file', () => {
  const { dir, conf } = trustedConfig();
  chmodSync(dir, 0o775);
  assertIgnored(call(conf), conf, /writable by its group/);
});

test('its folder given to a normal user: the next call ignores the file', () => {
  const { dir, conf } = trustedConfig();
  chownSync(dir, NOBODY, NOBODY);
  assertIgnored(call(conf), conf, new RegExp(`owned by uid ${NOBODY}`));
});

test('control: the trusted file, called again, keeps its runtime and warns of nothing', () => {
  const { conf } = trustedConfig();
  const again = call(conf);
  assert.match(again.out, `lower=${fakeA}`);
  assert.is(again.err, '');
});

test.run();
