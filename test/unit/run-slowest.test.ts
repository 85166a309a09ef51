// The runner's closing list of the slowest files: the measuring tool for the suite's time.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { slowestLines } from '../run.js';

test('the slowest files come first, at most n of them', () => {
  const times = [
    { file: 'unit/a.test.js', seconds: 0.4 },
    { file: 'e2e/b.test.js', seconds: 281.25 },
    { file: 'integration/c.test.js', seconds: 12 },
  ];
  assert.equal(slowestLines(times, 2), [
    '  281.3 s  e2e/b.test.js',
    '   12.0 s  integration/c.test.js',
  ]);
});

test('no files, no lines', () => {
  assert.equal(slowestLines([], 10), []);
});

test.run();
