import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { formatJsonRecord, formatTextRecord } from '../../src/runtime/report.js';

const T = new Date('2026-01-02T03:04:05.678Z');

test('json record is one line of crun-shaped JSON', () => {
  const line = formatJsonRecord('error', 'bad "thing"', T);
  assert.ok(line.endsWith('\n'));
  assert.is(line.trimEnd().split('\n').length, 1);
  assert.equal(JSON.parse(line), {
    msg: 'cgherd: bad "thing"',
    level: 'error',
    time: '2026-01-02T03:04:05.678Z',
  });
});

test('text record', () => {
  assert.is(formatTextRecord('warning', 'x', T), '2026-01-02T03:04:05.678Z warning: cgherd: x\n');
});

test.run();
