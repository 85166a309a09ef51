// The demo calls its control shown only when the failure is the bug: "Unseizable" at the
// checkpoint after a restore. A timeout or an earlier failure is named, never counted.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { classifyStep, controlLine, fixLine } from '../../demo/outcome.js';

const UNSEIZABLE_LOG = [
  '(00.01) Version: 4.1.1',
  'Error (compel/src/lib/infect.c:263): Unseizable non-zombie 13511 found, state S, err -1/10',
  'Error (criu/cr-dump.c:2113): Dumping FAILED.',
].join('\n');
const FAILED = { code: 1, stderr: 'CRIU checkpointing failed -52\n' };

test('a passing step is ok and not the bug', () => {
  assert.equal(classifyStep('checkpoint after restore', { code: 0, stderr: '' }, '', 120), {
    ok: true,
    isBug: false,
  });
});

test('Unseizable at the checkpoint after a restore is the bug', () => {
  const o = classifyStep('checkpoint after restore', FAILED, UNSEIZABLE_LOG, 120);
  assert.is(o.isBug, true);
  assert.match(o.cause ?? '', /Unseizable non-zombie 13511/);
  assert.is(
    controlLine({ passedCycles: 0, failed: { kind: 'checkpoint after restore', outcome: o } })
      .shown,
    true,
  );
});

test('Unseizable at the first checkpoint is not the bug', () => {
  const o = classifyStep('first checkpoint', FAILED, UNSEIZABLE_LOG, 120);
  assert.is(o.isBug, false);
  const line = controlLine({ passedCycles: 0, failed: { kind: 'first checkpoint', outcome: o } });
  assert.is(line.shown, false);
  assert.match(line.text, /NOT SHOWN: the first checkpoint failed/);
});

test('a timeout is named with its length and the last log line, and is never the bug', () => {
  const o = classifyStep(
    'checkpoint after restore',
    { code: 137, stderr: '', timedOut: true },
    '(00.02) pie: 7330: 7330: new_sp=0x7f32d2bad308 ip 0x7f32d2ce7503\n',
    120,
  );
  assert.is(o.isBug, false);
  assert.match(o.cause ?? '', /^timed out after 120 s; CRIU's log stops at: .*new_sp=/);
  assert.match(o.cause ?? '', /hardware breakpoints/);
  const line = controlLine({
    passedCycles: 0,
    failed: { kind: 'checkpoint after restore', outcome: o },
  });
  assert.is(line.shown, false);
  assert.match(line.text, /timed out after 120 s/);
});

test('a timeout with no log says so', () => {
  const o = classifyStep('first checkpoint', { code: 137, stderr: '', timedOut: true }, '', 30);
  assert.match(o.cause ?? '', /timed out after 30 s; CRIU wrote no log/);
});

test('another CRIU error is quoted; without a log, the stderr line; else the status', () => {
  const log =
    'Error (criu/cgroup.c:1): cg: invalid cgroup configuration, /x is not a suffix of /y\n';
  assert.match(
    classifyStep('checkpoint after restore', FAILED, log, 9).cause ?? '',
    /invalid cgroup/,
  );
  assert.is(classifyStep('restore', FAILED, '', 9).cause, 'CRIU checkpointing failed -52');
  assert.is(classifyStep('run', { code: 3, stderr: '\n' }, '', 9).cause, 'exit status 3');
});

test('crun alone passing everything is reported, not counted', () => {
  const line = controlLine({ passedCycles: 1 });
  assert.is(line.shown, false);
  assert.match(line.text, /UNEXPECTED/);
});

test('the fix line names the failing step', () => {
  assert.equal(fixLine({ passedCycles: 3 }, 3), {
    passed: true,
    text: '3 cycles, every checkpoint passed',
  });
  const o = classifyStep('restore', { code: 1, stderr: 'boom\n' }, '', 9);
  const line = fixLine({ passedCycles: 1, failed: { kind: 'restore', outcome: o } }, 3);
  assert.is(line.passed, false);
  assert.is(line.text, 'FAILED after 1 of 3 cycles: the restore failed (boom)');
});

test.run();
