// hooks/index.ts is the whole story of a restore and a checkpoint: these pin the places
// that matter. The containerd rows come after every hook that reads the argv (those see
// it as received), and the signal hold is the last step before the lower runtime starts.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { HOOKS } from '../../hooks/index.js';

const steps = (command: string): string[] =>
  HOOKS.filter((entry) => entry.commands.includes(command)).map((entry) => entry.name);

test('restore: engine-compat, then the signal hold, last before forwarding', () => {
  assert.equal(steps('restore').slice(-2), ['apply-engine-compat', 'hold-signals']);
});

test('checkpoint: engine-compat last; no signal hold while the lower runtime dumps', () => {
  assert.is(steps('checkpoint').at(-1), 'apply-engine-compat');
  assert.not.ok(steps('checkpoint').includes('hold-signals'));
});

test('create and run: neither engine rows nor a hold', () => {
  for (const command of ['create', 'run']) {
    assert.equal(steps(command), ['validate-config', 'proof-after-create'], command);
  }
});

test('each entry loads the hook of its own name', async () => {
  for (const entry of HOOKS) assert.is((await entry.load()).name, entry.name);
});

test.run();
