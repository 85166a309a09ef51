// Signals to cgherd during a `restore`, the lower runtime a script named crun that dies of
// each signal it gets (as crun does) after writing its name down, and whose `state`, asked
// by the herd in the after-hooks, waits for the test: so a signal lands in a known phase.
// - while the lower runtime restores: held (a second termination request is relayed);
// - during the after-hooks: held, the herd finishes, cgherd exits with the lower runtime's
//   status (hooks/restore-signals.ts says why not "killed by signal").
// The herd runs for real on a sleep the test started (its init): one member, nothing to
// move. Each step waits for cgherd's debug log to show the signal arrived, not the clock.
// runtime-signal-restore.test.ts shows what the hold prevents with real crun and CRIU.

import { spawn, type ChildProcess } from 'node:child_process';
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
import { until } from '../lib/bed/poll.js';
import { herdLogLines } from '../lib/scenario/sec-lib.js';

const base = mkdtempSync('/tmp/cgt-sighold-');
// The init is pid 1 of a pid namespace of its own, as a container's is: the fake `state`
// records no start time, and the herd holds such a state only to a namespace's init
// (src/proc/ns-init.ts). unshare waits for it; the sleep is unshare's only child.
const holder = spawn('unshare', ['--pid', '--fork', '/bin/sleep', '1000'], { stdio: 'ignore' });
let initPid: number | undefined;
test.before(async () => {
  const children = `/proc/${holder.pid}/task/${holder.pid}/children`;
  const found = await until(
    () => existsSync(children) && readFileSync(children, 'utf8') !== '',
    5000,
  );
  assert.ok(found, 'unshare --pid --fork started its sleep');
  initPid = Number(readFileSync(children, 'utf8').trim().split(' ')[0]);
});
test.after(() => {
  if (initPid !== undefined) process.kill(initPid, 'SIGKILL');
  holder.kill('SIGKILL');
  rmSync(base, { recursive: true, force: true });
});
let serial = 0;

/** What the fake lower runtime dies of, with its status as crun's would be. */
const FATAL = ['TERM', 'INT', 'HUP', 'QUIT', 'USR1', 'USR2', 'ALRM'];
const NUMBER: Record<string, number> = {
  HUP: 1,
  INT: 2,
  QUIT: 3,
  USR1: 10,
  USR2: 12,
  ALRM: 14,
  TERM: 15,
};

interface Call {
  /** Lets the lower runtime's restore return 0. */
  finishRestore(): void;
  /** Lets the herd's `state` answer (with the test's sleep as the init). */
  answerState(): void;
  /** The herd has asked `state`: cgherd is in its after-hooks. */
  inAfterHooks(): Promise<boolean>;
  /** Sends a signal to cgherd, then waits until its debug log shows it (or cgherd died). */
  signal(name: NodeJS.Signals): Promise<void>;
  /** cgherd's exit: code, or the signal that killed it. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Signals the lower runtime got, one a line. */
  got(): string;
  restoreFinished(): boolean;
  log(): string;
}

function fakeCrun(d: string): string {
  const bin = join(d, 'crun');
  const traps = FATAL.map(
    (s) => `trap 'echo ${s} >> ${d}/got; exit ${128 + (NUMBER[s] ?? 0)}' ${s}\n`,
  ).join('');
  const wait = (file: string): string =>
    `i=0; while [ ! -e ${file} ] && [ $i -lt 150 ]; do sleep 0.05; i=$((i+1)); done\n`;
  writeFileSync(
    bin,
    '#!/bin/sh\n' +
      traps +
      'case " $* " in\n' +
      '*" restore "*|*" checkpoint "*)\n' +
      `touch ${d}/restoring\n` +
      wait(`${d}/restore-go`) +
      `echo done > ${d}/restored; exit 0 ;;\n` +
      '*" state "*)\n' +
      `touch ${d}/in-state\n` +
      wait(`${d}/state-go`) +
      `printf '{"ociVersion":"1.0.2","id":"cgt-sighold","status":"running","pid":${initPid}}'; exit 0 ;;\n` +
      'esac\n' +
      'exit 1\n',
  );
  chmodSync(bin, 0o755);
  return bin;
}

function lines(text: string, pattern: RegExp): number {
  return text.split('\n').filter((l) => pattern.test(l)).length;
}

async function restoreThroughCgherd(): Promise<Call> {
  const d = join(base, String(serial++));
  mkdirSync(d);
  const bin = fakeCrun(d);
  writeFileSync(join(d, 'config.json'), '{}');
  const log = join(d, 'debug.log');
  const cgherd: ChildProcess = spawn(
    CGHERD_BIN,
    [
      '--root',
      join(d, 'root'),
      'restore',
      '--image-path',
      join(d, 'img'),
      '--bundle',
      d,
      '--detach',
      'cgt-sighold',
    ],
    {
      env: {
        CGHERD_RUNTIME: bin,
        CGHERD_CONFIG: join(d, 'config.json'),
        CGHERD_VALIDATE: 'off',
        CGHERD_RESTORE_CGROUP_ROOT: 'never',
        DEBUG: 'cgherd:*',
        CGHERD_DEBUG_LOG: log,
        PATH: process.env.PATH ?? '/usr/bin:/bin',
      },
      stdio: 'ignore',
    },
  );
  let dead = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
    cgherd.once('exit', (code, signal) => {
      dead = true;
      r({ code, signal });
    }),
  );
  const readLog = (): string => (existsSync(log) ? readFileSync(log, 'utf8') : '');
  assert.ok(await until(() => existsSync(join(d, 'restoring')) || dead, 20_000), 'no restore');
  return {
    finishRestore: () => writeFileSync(join(d, 'restore-go'), ''),
    answerState: () => writeFileSync(join(d, 'state-go'), ''),
    inAfterHooks: () => until(() => existsSync(join(d, 'in-state')) || dead, 20_000),
    async signal(name) {
      const seen = new RegExp(`${name} (held|relayed)`);
      const before = lines(readLog(), seen);
      cgherd.kill(name);
      await until(() => dead || lines(readLog(), seen) > before, 5000);
    },
    exited,
    got: () => (existsSync(join(d, 'got')) ? readFileSync(join(d, 'got'), 'utf8') : ''),
    restoreFinished: () => existsSync(join(d, 'restored')),
    log: readLog,
  };
}

test('restore: SIGQUIT, SIGUSR1 twice, SIGUSR2 and SIGALRM while the lower runtime restores are held', async () => {
  const c = await restoreThroughCgherd();
  c.answerState();
  for (const s of ['SIGQUIT', 'SIGUSR1', 'SIGUSR1', 'SIGUSR2', 'SIGALRM'] as const) {
    await c.signal(s);
  }
  c.finishRestore();
  const exit = await c.exited;
  console.log(
    `  lower runtime got "${c.got().trim().replace(/\n/g, ' ')}", ` +
      `finished ${c.restoreFinished()}; cgherd exit ${exit.code ?? exit.signal}`,
  );
  assert.is(c.got(), '', 'a signal reached the lower runtime mid-restore');
  assert.ok(c.restoreFinished(), 'the lower runtime was cut short');
  assert.equal(exit, { code: 0, signal: null });
});

test('restore: a second SIGQUIT while the lower runtime restores is relayed', async () => {
  const c = await restoreThroughCgherd();
  c.answerState();
  await c.signal('SIGQUIT');
  await c.signal('SIGQUIT');
  c.finishRestore();
  const exit = await c.exited;
  assert.is(c.got(), 'QUIT\n');
  assert.not.ok(c.restoreFinished());
  assert.equal(exit, { code: 131, signal: null });
});

async function signalsInAfterHooks(
  during: readonly NodeJS.Signals[],
  after: readonly NodeJS.Signals[],
): Promise<void> {
  const c = await restoreThroughCgherd();
  for (const s of during) await c.signal(s);
  c.finishRestore();
  assert.ok(await c.inAfterHooks(), 'the herd never asked for the state');
  for (const s of after) await c.signal(s);
  c.answerState();
  const exit = await c.exited;
  const herds = herdLogLines(c.log());
  const done = lines(c.log(), /after-hooks done/);
  console.log(
    `  ${[...during, '|', ...after].join(' ')}: cgherd exit ${exit.code ?? exit.signal}; ` +
      `herd: ${herds[0]?.line ?? 'none'}; after-hooks done: ${done}`,
  );
  assert.equal(exit, { code: 0, signal: null }, 'cgherd did not finish its after-hooks');
  assert.is(herds.length, 1, 'the herd did not finish');
  assert.is(herds[0]?.members, 1);
  assert.is(done, 1);
  assert.is(c.got(), '');
}

test('restore: SIGUSR1 mid-restore, then a second SIGUSR1 and a SIGUSR2 during the after-hooks: the herd finishes', async () => {
  await signalsInAfterHooks(['SIGUSR1'], ['SIGUSR1', 'SIGUSR2']);
});

test('restore: SIGTERM, SIGQUIT, SIGINT, SIGHUP, SIGALRM and SIGTERM again during the after-hooks: the herd finishes', async () => {
  await signalsInAfterHooks([], ['SIGTERM', 'SIGQUIT', 'SIGINT', 'SIGHUP', 'SIGALRM', 'SIGTERM']);
});

test('control: checkpoint relays SIGUSR2 at once', async () => {
  const d = join(base, String(serial++));
  mkdirSync(d);
  const bin = fakeCrun(d);
  writeFileSync(join(d, 'config.json'), '{}');
  const cgherd = spawn(CGHERD_BIN, ['checkpoint', '--image-path', join(d, 'img'), 'x'], {
    env: { CGHERD_RUNTIME: bin, CGHERD_CONFIG: join(d, 'config.json') },
    stdio: 'ignore',
  });
  const exited = new Promise<number | null>((r) => cgherd.once('exit', (code) => r(code)));
  assert.ok(await until(() => existsSync(join(d, 'restoring')), 20_000), 'never started');
  cgherd.kill('SIGUSR2');
  assert.ok(await until(() => existsSync(join(d, 'got')), 5000), 'not relayed');
  writeFileSync(join(d, 'restore-go'), '');
  assert.is(readFileSync(join(d, 'got'), 'utf8'), 'USR2\n');
  assert.is(await exited, 140);
});

test.run();
