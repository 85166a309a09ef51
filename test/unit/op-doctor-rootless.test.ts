// `cgherd doctor` run by a user who is not root says what rootless Podman gets from cgherd
// (issue 18, item 3); run by root it says nothing about it.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { rootlessFindings } from '../../src/operator/doctor/rootless.js';

test('root: no rootless finding', () => {
  assert.equal(rootlessFindings(0), []);
});

test('a user: one info finding, saying the lower runtime alone runs', () => {
  const [f, ...rest] = rootlessFindings(1001);
  assert.equal(rest, []);
  assert.is(f?.severity, 'info');
  assert.match(f?.summary ?? '', /uid 1001/);
  assert.match(f?.summary ?? '', /straight to the lower runtime/);
  assert.match(f?.summary ?? '', /no config validation and no herd/);
});

test.run();
