// SIGTERM to cgherd while the lower runtime restores: held until the lower runtime
// returns (relayed, it makes crun 1.8.1 die between CRIU's restore and its own state
// record: a running container nobody knows; fault-signals.test.ts shows it with real
// CRIU). A second SIGTERM is relayed. Checkpoint is the control: relayed at once.
// The lower runtime is a script named crun that records the signals it gets.

import { spawn } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CGHERD_BIN } from '../lib/bed/bed.js';
import { sleep, until } from '../lib/bed/poll.js';

const base = mkdtempSync('/tmp/cgt-defer-');
test.after(() => rmSync(base, { recursive: true, force: true }));
let serial = 0;

interface Run {
  code: number | null;
  got: string;
  done: boolean;
}

/** cgherd `command` over a 1.5 s lower runtime; `signals` SIGTERMs once it has started. */
async function run(command: 'restore' | 'checkpoint', signals: number): Promise<Run> {
  const d = join(base, String(serial++));
  mkdirSync(d);
  const [started, got, done] = ['started', 'got', 'done'].map((n) => join(d, n)) as [
    string,
    string,
    string,
  ];
  const bin = join(d, 'crun');
  writeFileSync(
    bin,
    '#!/bin/sh\n' +
      '[ "$1" = state ] && exit 1\n' +
      `trap 'echo TERM >> ${got}; exit 143' TERM\n` +
      `echo $$ > ${started}\n` +
      'i=0; while [ $i -lt 30 ]; do sleep 0.05; i=$((i+1)); done\n' +
      `echo done > ${done}\n`,
  );
  chmodSync(bin, 0o755);
  writeFileSync(join(d, 'config.json'), '{}');
  const argv =
    command === 'restore'
      ? ['restore', '--image-path', join(d, 'img'), '--bundle', d, '--detach', 'cgt-defer']
      : ['checkpoint', '--image-path', join(d, 'img'), 'cgt-defer'];
  const cgherd = spawn(CGHERD_BIN, argv, {
    env: {
      CGHERD_RUNTIME: bin,
      CGHERD_CONFIG: join(d, 'config.json'),
      CGHERD_VALIDATE: 'off',
      CGHERD_RESTORE_CGROUP_ROOT: 'never',
    },
    stdio: 'ignore',
  });
  const exited = new Promise<number | null>((r) => cgherd.once('exit', (code) => r(code)));
  assert.ok(await until(() => existsSync(started), 10_000), 'lower runtime not started');
  for (let i = 0; i < signals; i++) {
    cgherd.kill('SIGTERM');
    await sleep(100);
  }
  const code = await exited;
  return {
    code,
    got: existsSync(got) ? readFileSync(got, 'utf8') : '',
    done: existsSync(done),
  };
}

test('restore: one SIGTERM is held; the lower runtime finishes, its status is mirrored', async () => {
  const r = await run('restore', 1);
  console.log(
    `  restore, 1 SIGTERM: lower runtime got "${r.got.trim()}", finished ${r.done}, exit ${r.code}`,
  );
  assert.is(r.got, '');
  assert.ok(r.done, 'the lower runtime was cut short');
  assert.is(r.code, 0);
});

test('restore: a second SIGTERM is relayed', async () => {
  const r = await run('restore', 2);
  assert.is(r.got, 'TERM\n');
  assert.not.ok(r.done);
  assert.is(r.code, 143);
});

test('control: checkpoint relays the first SIGTERM at once', async () => {
  const r = await run('checkpoint', 1);
  assert.is(r.got, 'TERM\n');
  assert.not.ok(r.done);
  assert.is(r.code, 143);
});

test.run();
