// /etc/cgherd/config.json's schema: the four keys, their types, nothing else.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { validateCgherdConfig } from '../../src/validate/cgherd-config.js';

test('a full valid config and an empty one pass', () => {
  assert.equal(
    validateCgherdConfig({
      runtime: '/usr/bin/crun',
      validate: 'warn',
      herd: false,
      debugLog: '/run/cgherd/d.log',
    }),
    [],
  );
  assert.equal(validateCgherdConfig({}), []);
});

test('each wrong field is named, with expected and found', () => {
  assert.equal(
    validateCgherdConfig({ runtime: 'crun', validate: 'yes', herd: 'no', debugLog: 5, extra: 1 }),
    [
      { pointer: '/extra', message: 'expected no property "extra" here, found number 1' },
      { pointer: '/runtime', message: 'expected a string matching ^/, found string "crun"' },
      {
        pointer: '/validate',
        message: 'expected one of "enforce", "warn", "off", found string "yes"',
      },
      { pointer: '/herd', message: 'expected boolean, found string "no"' },
      { pointer: '/debugLog', message: 'expected string, found number 5' },
    ],
  );
});

test('not an object', () => {
  assert.equal(validateCgherdConfig([]), [
    { pointer: '', message: 'expected object, found an array of 0 items' },
  ]);
  assert.equal(validateCgherdConfig(null), [
    { pointer: '', message: 'expected object, found null' },
  ]);
});

test.run();
