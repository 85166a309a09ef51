// An included group (the Node 18 run) cannot vanish from the total: a log that never
// started a listed file counts that file as a failure, and an empty list is a failure too.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { closingTally as withNotes } from '../run.js';

function closingTally(text: string, name: string, expected?: readonly string[]) {
  const { passed, failed, skipped } = withNotes(text, name, expected);
  return { passed, failed, skipped };
}

const LIST = ['integration/a.test.js', 'integration/b.test.js', 'e2e/c.test.js'];

test('a whole run counts as its closing line says', () => {
  const log = [
    '== integration/a.test.js',
    '== integration/b.test.js',
    '== e2e/c.test.js',
    '',
    '7 passed, 0 failed',
  ].join('\n');
  assert.equal(closingTally(log, 'log', LIST), { passed: 7, failed: 0, skipped: 0 });
});

test('0 passed, 0 failed with nothing run is one failure per listed file', () => {
  assert.equal(closingTally('0 passed, 0 failed\n', 'log', LIST), {
    passed: 0,
    failed: 3,
    skipped: 0,
  });
});

test('a root that never started: no closing line, every listed file failed', () => {
  assert.equal(closingTally('deb12-testbed.sh: cannot unpack\n', 'log', LIST), {
    passed: 0,
    failed: 3,
    skipped: 0,
  });
});

test('a run cut short counts the files it never started', () => {
  const log = '== integration/a.test.js\n\n4 passed, 0 failed, 1 skipped\n';
  assert.equal(closingTally(log, 'log', LIST), { passed: 4, failed: 2, skipped: 1 });
});

test('an empty list is itself a failure', () => {
  assert.equal(closingTally('3 passed, 0 failed\n', 'log', []), {
    passed: 3,
    failed: 1,
    skipped: 0,
  });
});

test('without a list, only the closing line counts (missing line: one failure)', () => {
  assert.equal(closingTally('nothing\n', 'log'), { passed: 0, failed: 1, skipped: 0 });
  assert.equal(closingTally('x\n2 passed, 1 failed\n', 'log'), {
    passed: 2,
    failed: 1,
    skipped: 0,
  });
});

test('what went wrong is returned, not printed', () => {
  const { notes } = withNotes('0 passed, 0 failed\n', 'node18.log', LIST);
  assert.equal(notes, [
    'node18.log: 3 of 3 listed files never ran: integration/a.test.js, integration/b.test.js, e2e/c.test.js',
  ]);
});

test.run();
