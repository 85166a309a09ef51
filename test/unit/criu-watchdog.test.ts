// The CRIU watchdog's logic: stall detection over a fake clock, the /proc parsing that
// finds CRIU below cgherd, the freezer control and its states, the log tail, and the one
// record a stall gives (with the lower runtime's own --log record folded in).

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { lowerMessages, logMark, writeRecord } from '../../src/runtime/report.js';
import { descendantsNamed, parseStat } from '../../src/watchdog/criu-procs.js';
import { freezerFile, frozenText } from '../../src/watchdog/freezer.js';
import { filesFingerprint, lastLines, logTail } from '../../src/watchdog/progress.js';
import { stallMessage } from '../../src/watchdog/report.js';
import { isStalled, observe, pollInterval, stalledFor } from '../../src/watchdog/stall.js';
import type { CgroupMount } from '../../src/proc/mountinfo.js';

const dir = mkdtempSync('/tmp/cgt-wd-unit-');
test.after(() => rmSync(dir, { recursive: true, force: true }));

test('stall: any change restarts the clock; the same files for the whole timeout is a stall', () => {
  const timeout = 3000;
  let s = observe(undefined, 'a', 0);
  s = observe(s, 'a', 2999);
  assert.not.ok(isStalled(s, 2999, timeout));
  s = observe(s, 'b', 2999); // the log grew
  assert.not.ok(isStalled(s, 5000, timeout));
  assert.is(stalledFor(s, 5000), 2001);
  s = observe(s, 'b', 5998);
  assert.not.ok(isStalled(s, 5998, timeout));
  assert.ok(isStalled(s, 5999, timeout));
  assert.not.ok(isStalled(s, 1e9, 0), 'timeout 0: never');
});

test('poll interval: a tenth of the timeout, within 0.1–2 s', () => {
  assert.is(pollInterval(3000), 300);
  assert.is(pollInterval(300_000), 2000);
  assert.is(pollInterval(500), 100);
});

test('progress: a file growing, appearing or going changes the fingerprint', () => {
  const d = join(dir, 'img');
  rmSync(d, { recursive: true, force: true });
  const before = filesFingerprint([d]);
  writeFileSync(join(dir, 'x'), '');
  assert.is(filesFingerprint([d]), before, 'a missing directory is stable');
  const w = mkdtempSync(join(dir, 'w-'));
  const a = filesFingerprint([w]);
  writeFileSync(join(w, 'dump.log'), 'one\n');
  const b = filesFingerprint([w]);
  assert.is.not(b, a);
  assert.is(filesFingerprint([w]), b, 'nothing changed, same fingerprint');
  writeFileSync(join(w, 'dump.log'), 'one\ntwo\n');
  assert.is.not(filesFingerprint([w]), b);
});

test('log tail: the last lines of the first log that exists', () => {
  assert.equal(lastLines('a\n\nb\nc\n  \nd\n', 3), ['b', 'c', 'd']);
  const log = join(dir, 'dump.log');
  writeFileSync(log, Array.from({ length: 50 }, (_, i) => `(00.0${i}) line ${i}`).join('\n'));
  const tail = logTail([join(dir, 'missing.log'), log], 2);
  assert.equal(tail, { file: log, lines: ['(00.048) line 48', '(00.049) line 49'] });
  assert.is(logTail([join(dir, 'none.log')], 2), undefined);
});

test('CRIU below cgherd: found by name among descendants only', () => {
  assert.equal(parseStat('42 (criu) S 41 42 42 0'), { pid: 42, ppid: 41, comm: 'criu' });
  assert.equal(parseStat('7 (a) b) (c) R 1 7'), { pid: 7, ppid: 1, comm: 'a) b) (c' });
  assert.is(parseStat('garbage'), undefined);
  const table = [
    { pid: 10, ppid: 1, comm: 'node' }, // cgherd
    { pid: 11, ppid: 10, comm: 'crun' },
    { pid: 12, ppid: 11, comm: 'criu' },
    { pid: 13, ppid: 12, comm: 'criu' }, // a helper CRIU forked
    { pid: 14, ppid: 11, comm: 'sh' }, // an action script
    { pid: 20, ppid: 1, comm: 'criu' }, // someone else's CRIU
  ];
  assert.equal(descendantsNamed(table, 10, 'criu'), [12, 13]);
  assert.equal(descendantsNamed(table, 99, 'criu'), []);
});

const V1: CgroupMount[] = [
  { version: 1, mountPoint: '/sys/fs/cgroup/cpu', root: '/', options: new Set(['rw', 'cpu']) },
  {
    version: 1,
    mountPoint: '/sys/fs/cgroup/freezer',
    root: '/',
    options: new Set(['rw', 'freezer']),
  },
];
const V2: CgroupMount[] = [
  { version: 2, mountPoint: '/sys/fs/cgroup', root: '/', options: new Set(['rw']) },
];

test('freezer: v1 freezer.state of the freezer hierarchy, v2 cgroup.freeze', () => {
  const lines = [
    { hierarchyId: 3, controllers: 'cpu', path: '/c1' },
    { hierarchyId: 5, controllers: 'freezer', path: '/c1' },
    { hierarchyId: 0, controllers: '', path: '/c1' },
  ];
  assert.equal(freezerFile(V1, lines), {
    path: '/sys/fs/cgroup/freezer/c1/freezer.state',
    version: 1,
  });
  assert.equal(freezerFile(V2, lines), { path: '/sys/fs/cgroup/c1/cgroup.freeze', version: 2 });
  assert.is(freezerFile(V2, [{ hierarchyId: 0, controllers: '', path: '/../x' }]), undefined);
  assert.is(freezerFile([], lines), undefined);
  assert.ok(frozenText(1, 'FROZEN\n'));
  assert.ok(frozenText(1, 'FREEZING\n'));
  assert.not.ok(frozenText(1, 'THAWED\n'));
  assert.ok(frozenText(2, '1\n'));
  assert.not.ok(frozenText(2, '0\n'));
});

test('the stall record: what stalled, for how long, what was stopped, the log’s last lines', () => {
  const text = stallMessage(
    'checkpoint',
    {
      quietMs: 3200,
      killed: [4242],
      log: { file: '/w/dump.log', lines: ['(00.28) Running post-dump scripts', '(00.28) [hold]'] },
    },
    3,
    true,
  );
  assert.match(text, 'checkpoint stalled: CRIU made no progress for 3 s');
  assert.match(text, 'stall timeout 3 s');
  assert.match(text, 'SIGKILL to pid 4242) and thawed the container');
  assert.match(
    text,
    'last lines of /w/dump.log: (00.28) Running post-dump scripts | (00.28) [hold]',
  );
  assert.match(text, 'criuStallTimeout');
  assert.not.match(text, '\n');
});

test('one --log record: the lower runtime’s own records are folded into cgherd’s error', () => {
  assert.equal(lowerMessages('{"msg":"CRIU checkpointing failed -70","level":"error"}\nplain\n'), [
    'CRIU checkpointing failed -70',
    'plain',
  ]);
  // crun 1.8.1: the JSON record without a newline, then the same message as text.
  const crun181 =
    '{"msg":"error opening file `/r/x/status`: No such file","level":"error","time":"t"}' +
    'error opening file `/r/x/status`: No such file\n';
  assert.equal(lowerMessages(crun181), ['error opening file `/r/x/status`: No such file']);
  assert.equal(lowerMessages('{"msg":"a } b","level":"error"}tail\n'), ['a } b', 'tail']);
  const log = join(dir, 'log.json');
  writeFileSync(log, '{"msg":"earlier call","level":"error","time":"t"}\n');
  const globals = { log, logFormat: 'json', systemdCgroup: false, debug: false };
  const mark = logMark(globals);
  writeFileSync(log, '{"msg":"CRIU checkpointing failed -70","level":"error","time":"t"}\n', {
    flag: 'a',
  });
  writeRecord(globals, 'error', 'checkpoint stalled', { foldLowerFrom: mark });
  const lines = readFileSync(log, 'utf8').trim().split('\n');
  assert.is(lines.length, 2, 'the earlier call’s record, then this call’s one');
  const record = JSON.parse(lines[1] as string) as { msg: string; level: string };
  assert.is(record.level, 'error');
  assert.is(record.msg, 'cgherd: checkpoint stalled; lower runtime: CRIU checkpointing failed -70');
});

test.run();
