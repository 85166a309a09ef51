// criuStallTimeout: the config key (schema), its environment override and the default.
// Each bad value is an error that names the key or the variable.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { settingsFrom } from '../../src/config/load.js';
import { DEFAULT_CRIU_STALL_TIMEOUT } from '../../src/config/settings.js';
import { validateCgherdConfig } from '../../src/validate/cgherd-config.js';

// Any executable absolute path will do as the lower runtime here.
const ENV = { CGHERD_RUNTIME: '/bin/sh' };

test('default 300 s; the file sets it; the variable overrides the file; 0 means never', () => {
  assert.is(DEFAULT_CRIU_STALL_TIMEOUT, 300);
  assert.is(settingsFrom(ENV, {}, '/c').criuStallTimeout, 300);
  assert.is(settingsFrom(ENV, { criuStallTimeout: 60 }, '/c').criuStallTimeout, 60);
  const env = { ...ENV, CGHERD_CRIU_STALL_TIMEOUT: '3' };
  assert.is(settingsFrom(env, { criuStallTimeout: 60 }, '/c').criuStallTimeout, 3);
  assert.is(settingsFrom({ ...ENV, CGHERD_CRIU_STALL_TIMEOUT: '0' }, {}, '/c').criuStallTimeout, 0);
  assert.is(
    settingsFrom({ ...ENV, CGHERD_CRIU_STALL_TIMEOUT: '' }, {}, '/c').criuStallTimeout,
    300,
  );
});

test('a bad CGHERD_CRIU_STALL_TIMEOUT is an error naming the variable', () => {
  for (const bad of ['abc', '-1', '1.5', ' 3', '3s', '99999999']) {
    assert.throws(
      () => settingsFrom({ ...ENV, CGHERD_CRIU_STALL_TIMEOUT: bad }, {}, '/c'),
      (e: Error) => e.message.includes('CGHERD_CRIU_STALL_TIMEOUT') && e.message.includes(bad),
      bad,
    );
  }
});

test('the schema takes a whole number of seconds ≥ 0 only', () => {
  assert.equal(validateCgherdConfig({ criuStallTimeout: 0 }), []);
  assert.equal(validateCgherdConfig({ criuStallTimeout: 300 }), []);
  for (const bad of [-1, 1.5, '300', true, null]) {
    const issues = validateCgherdConfig({ criuStallTimeout: bad });
    assert.is(issues[0]?.pointer, '/criuStallTimeout', String(bad));
  }
});

test.run();
