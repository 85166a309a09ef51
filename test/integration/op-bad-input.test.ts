// inspect and repair on bad input: each case one clear message on stderr and its own
// exit code. (The unreadable containers.conf.d case is in op-install-podman.test.ts.)

import { test } from 'uvu';
import { before } from '../lib/bed/before.js';
import * as assert from 'uvu/assert';
import { CGHERD_BIN, RUNTIMES, inMode, type RunResult } from '../lib/bed/bed.js';
import { TREE8_SIZE } from '../lib/scenario/bundle.js';
import { cleanupPrefix } from '../lib/bed/cleanup.js';
import { Scenario, bare } from '../lib/scenario/scenario.js';

const PREFIX = 'cgt-op-bad-';
const EXIT = { PROBLEM: 1, NOT_FOUND: 3, NOT_RUNNING: 4, PERMISSION: 5 };
let sc: Scenario;

function cgherd(args: string[], wrap?: string): Promise<RunResult> {
  const argv = [CGHERD_BIN, ...args, '--root', sc.root];
  if (!wrap)
    return inMode('v1', argv[0] as string, argv.slice(1), {
      env: { CGHERD_RUNTIME: RUNTIMES.crun181 },
    });
  // `wrap` runs first in the same namespace, then the command.
  return inMode('v1', '/bin/sh', ['-c', `${wrap}\nexec "$@"`, 'wrap', ...argv], {
    env: { CGHERD_RUNTIME: RUNTIMES.crun181 },
  });
}

function ok(r: RunResult, what: string): void {
  assert.is(r.code, 0, `${what} failed (${r.code}): ${r.stderr}${r.stdout}`);
}

/** One message line on stderr, nothing on stdout. */
function oneError(r: RunResult, code: number, pattern: RegExp): void {
  assert.is(r.code, code, `exit ${r.code}: ${r.stderr}${r.stdout}`);
  assert.is(r.stdout, '');
  assert.is(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, pattern);
}

before(test, async () => {
  await cleanupPrefix(PREFIX);
  sc = new Scenario('v1', bare(RUNTIMES.crun181, 'crun 1.8.1'), PREFIX);
});
test.after(async () => {
  try {
    await sc.cleanup();
  } finally {
    await cleanupPrefix(PREFIX);
  }
});

test('an unknown container id: exit 3', async () => {
  for (const cmd of ['inspect', 'repair']) {
    const r = await cgherd([cmd, `${PREFIX}nosuch`]);
    oneError(
      r,
      EXIT.NOT_FOUND,
      new RegExp(
        `^cgherd ${cmd}: no container ${PREFIX}nosuch \\(state root .*\\) known to ${RUNTIMES.crun181}$`,
        'm',
      ),
    );
  }
});

test('a created (not started) container and a stopped one: exit 4', async () => {
  const created = `${PREFIX}created`;
  const bundle = await sc.bundle('b-created', { tree: 'single' });
  ok(await sc.call(['create', '--bundle', bundle, created]), 'create');
  const r = await cgherd(['inspect', created]);
  oneError(r, EXIT.NOT_RUNNING, new RegExp(`container ${created} is created, not running`));

  const stopped = `${PREFIX}stopped`;
  ok(await sc.run(stopped, await sc.bundle('b-stopped', { tree: 'single' })), 'run');
  ok(await sc.kill(stopped, 'KILL'), 'kill');
  for (let i = 0; i < 50; i++) {
    const st = await sc.call(['state', stopped]);
    if (/"stopped"/.test(st.stdout)) break;
    await new Promise((res) => setTimeout(res, 100));
  }
  for (const cmd of ['inspect', 'repair']) {
    oneError(
      await cgherd([cmd, stopped]),
      EXIT.NOT_RUNNING,
      new RegExp(`container ${stopped} is stopped, not running`),
    );
  }
});

test('no permission on the cgroup (read-only cgroup mounts): exit 5, the errno named; control repairs', async () => {
  const a = `${PREFIX}a`;
  const b = `${PREFIX}b`;
  const image = sc.path('img-a');
  ok(await sc.run(a, await sc.bundle('b-a', { tree: 'tree8' })), 'run');
  await sc.waitForTree(a, TREE8_SIZE);
  ok(await sc.checkpoint(a, image), 'checkpoint');
  ok(await sc.restore(b, await sc.bundle('b-b', { tree: 'tree8' }), image), 'restore');
  assert.is((await sc.placement(b)).strays.length, 7, 'the restored copy is not broken');

  const readOnly =
    'for m in /sys/fs/cgroup/*; do mountpoint -q "$m" || continue; mount -o remount,bind,ro "$m" || exit 99; done';
  const r = await cgherd(['repair', b], readOnly);
  assert.is(r.code, EXIT.PERMISSION, r.stderr + r.stdout);
  assert.match(r.stdout, /could not move pid \d+ in \S+ \(.*\): EROFS/);
  assert.match(r.stdout, /7 of 8 process\(es\) are still outside the init's cgroup/);
  assert.is((await sc.placement(b)).strays.length, 7);

  // Control: the same repair with writable cgroups works, so the refusal above was the mount.
  ok(await cgherd(['repair', b]), 'repair');
  assert.equal((await sc.placement(b)).strays, []);
});

test('usage errors: no id, unknown flag: exit 2', async () => {
  for (const args of [
    ['inspect'],
    ['repair', 'x', '--bogus'],
    ['install', 'podman', '--remove', '--default'],
  ]) {
    const r = await inMode('v1', CGHERD_BIN, args);
    assert.is(r.code, 2, `${args.join(' ')}: ${r.code} ${r.stderr}`);
    assert.ok(r.stderr.length > 0);
  }
});

test.run();
