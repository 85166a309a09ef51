// SIGUSR1 to an intercepted cgherd: Node would open its inspector (a debugger, as root, on
// 127.0.0.1:9229) for any local user who can signal it. cgherd listens for SIGUSR1 for its
// whole life and relays it to the lower runtime like the other signals. The lower
// runtime here is a sleeper script (named crun, so cgherd treats it as one) that records
// the signals it gets; `checkpoint` is intercepted, so Node runs.

import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CGHERD_BIN } from '../lib/bed/bed.js';
import { sleep, until } from '../lib/bed/poll.js';

const dir = mkdtempSync('/tmp/cgt-usr1-');
test.after(() => rmSync(dir, { recursive: true, force: true }));
const PORT_HEX = (9229).toString(16).toUpperCase().padStart(4, '0');

/** Someone listens on port 9229 (any address), from /proc/net/tcp{,6}. */
function listening9229(): boolean {
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!existsSync(file)) continue;
    for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f[1]?.endsWith(`:${PORT_HEX}`) && f[3] === '0A') return true;
    }
  }
  return false;
}

function sleeper(): { bin: string; started: string; got: string } {
  const started = join(dir, 'started');
  const got = join(dir, 'got');
  const bin = join(dir, 'crun');
  writeFileSync(
    bin,
    '#!/bin/sh\n' +
      '[ "$1" = state ] && exit 1\n' +
      `trap 'echo USR1 >> ${got}' USR1\n` +
      `echo $$ > ${started}\n` +
      'i=0; while [ $i -lt 100 ]; do sleep 0.05; i=$((i+1)); done\n',
  );
  chmodSync(bin, 0o755);
  return { bin, started, got };
}

test('control: a plain Node process opens 9229 on SIGUSR1', async () => {
  assert.not.ok(listening9229(), 'something already listens on 9229');
  const node = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 5000)'], { stdio: 'ignore' });
  await sleep(300);
  node.kill('SIGUSR1');
  const opened = await until(listening9229, 2000);
  node.kill('SIGKILL');
  await until(() => !listening9229(), 2000);
  assert.ok(opened, 'the inspector did not open: this control shows nothing');
});

test('SIGUSR1 to cgherd during a checkpoint: no inspector, the lower runtime gets it', async () => {
  assert.not.ok(listening9229(), 'something already listens on 9229');
  const s = sleeper();
  writeFileSync(join(dir, 'none.json'), '{}');
  const cgherd = spawn(CGHERD_BIN, ['checkpoint', '--image-path', join(dir, 'img'), 'cgt-usr1'], {
    env: { CGHERD_RUNTIME: s.bin, CGHERD_CONFIG: join(dir, 'none.json') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  cgherd.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((r) => cgherd.once('exit', (code) => r(code)));
  assert.ok(
    await until(() => existsSync(s.started), 10_000),
    `lower runtime not started: ${stderr}`,
  );
  // cgherd is node by now (the launcher exec'd it): the pid is the same.
  const comm = readFileSync(`/proc/${cgherd.pid}/comm`, 'utf8').trim();
  assert.is(comm, 'node', 'the signal must reach the Node process');
  cgherd.kill('SIGUSR1');
  const relayed = await until(() => existsSync(s.got), 3000);
  const opened = listening9229();
  cgherd.kill('SIGTERM');
  const code = await exited;
  console.log(
    `  SIGUSR1 to cgherd (node, pid ${cgherd.pid}): 9229 ${opened ? 'OPEN' : 'closed'}, ` +
      `lower runtime ${relayed ? 'got it' : 'did not get it'}; exit ${code}`,
  );
  assert.not.ok(opened, 'the inspector opened');
  assert.ok(relayed, 'the lower runtime did not receive SIGUSR1');
  assert.is(readFileSync(s.got, 'utf8'), 'USR1\n');
});

test.run();
