// Container-chosen text (process names, cgroup paths) on a terminal: every control
// character escaped in the herd's messages, the hooks' refusals, the runtime's records and
// inspect/repair lines.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { describeStrays, herd } from '../../src/herd/index.js';
import { printable } from '../../src/proc/printable.js';
import { repairLines, targetLine, treeLines } from '../../src/operator/container/report-lines.js';
import { FakeHost } from '../fixtures/proc/fake-host.js';

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
const EVIL = '\x1b]0;pwned\x07\x1b[2J\u009b31m\x7f\u202e';

test('printable: C0, ESC sequences, DEL, C1 and bidi controls become visible escapes', () => {
  assert.is(printable('sleep'), 'sleep');
  assert.is(printable('a\x1b[31mb'), 'a\\x1b[31mb');
  assert.is(printable('\x00\t\n\r\x7f'), '\\x00\\x09\\x0a\\x0d\\x7f');
  assert.is(printable('\u0085\u009b\u009f'), '\\x85\\x9b\\x9f');
  assert.is(printable('x\u202ey\u2066'), 'x\\u202ey\\u2066');
  assert.is(printable('grüß /é 日本'), 'grüß /é 日本', 'printable text is kept');
  assert.not.match(printable(EVIL), CONTROL);
});

test('printable: a lone surrogate is escaped, a pair is kept', () => {
  assert.is(printable('a\ud800b'), 'a\\ud800b');
  assert.is(printable('a\udc00'), 'a\\udc00');
  assert.is(printable('\udc00\ud800'), '\\udc00\\ud800', 'a low before a high is no pair');
  assert.is(printable('\ud83d\ude00'), '\ud83d\ude00', 'an emoji (a pair) is kept');
  assert.is.not(printable('a\ud800'), printable('a\udbff'), 'two lone surrogates print apart');
});

function evilHost(): FakeHost {
  const host = FakeHost.v2();
  host.mkcgroup('/new');
  host.mkcgroup(`/old${EVIL}`);
  host.spawn(1, 0, '/', { comm: 'init' });
  host.spawn(500, 1, '/new', { comm: 'sh' });
  host.spawn(501, 500, `/old${EVIL}`, { comm: EVIL });
  host.spawn(502, 500, `/old${EVIL}`, { comm: 'sleep' });
  return host;
}

test('a refusal that quotes a stray escapes its name and its cgroup', () => {
  const host = evilHost();
  host.onWrite = () => ({ code: 'EBUSY', message: 'busy' });
  const report = herd(500, {}, host);
  const text = describeStrays(report) ?? '';
  assert.match(text, /\\x1b\]0;pwned\\x07/);
  assert.not.match(text, CONTROL);
  for (const f of report.failures) assert.not.match(f.message, CONTROL);
});

test('inspect and repair lines escape names and paths', () => {
  const dry = herd(500, { dryRun: true }, evilHost());
  const lines = [targetLine(dry), ...treeLines(dry), ...repairLines(dry)];
  assert.ok(lines.some((l) => l.includes('\\x1b]0;pwned')));
  for (const line of lines) assert.not.match(line, CONTROL, line);
  const failed = evilHost();
  failed.onWrite = () => ({ code: 'EACCES', message: 'denied' });
  for (const line of repairLines(herd(500, {}, failed))) assert.not.match(line, CONTROL, line);
});

test('control: the raw report keeps the real name (for --json and tools)', () => {
  const report = herd(500, { dryRun: true }, evilHost());
  assert.ok(report.members.some((m) => m.comm === EVIL));
});

test.run();
