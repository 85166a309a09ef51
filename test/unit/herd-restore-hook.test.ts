// The restore-into-cgroup hook on its own: the per-restore CRIU config file it hands the
// lower runtime (written in the test's own directory), the caller's file carried over,
// the file removed afterwards, the files of dead restores swept. No runtime
// is started (the need is forced through the restoreCgroupRoot setting). The cgroup lines
// follow this host's mounts, so only their shape is checked here.

import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import hook from '../../hooks/restore-into-cgroup.js';
import type { HookContext } from '../../src/call/hook.js';
import { runAfter, runBefore } from '../../src/runtime/run-hooks.js';
import type { RestoreCgroupRootMode } from '../../src/config/settings.js';
import { testHookContext } from '../lib/call/hook-context.js';

const dir = mkdtempSync('/tmp/cgt-herd-unit-');
const criuDir = join(dir, 'criu');
test.after(() => rmSync(dir, { recursive: true, force: true }));

function context(
  argv: string[],
  restoreCgroupRoot: RestoreCgroupRootMode,
  env: NodeJS.ProcessEnv = {},
): HookContext {
  return testHookContext(argv, { settings: { restoreCgroupRoot }, env, criuConfigDir: criuDir });
}

/** The hook through the real runner: before, then (given an exit status) after. */
async function around(ctx: HookContext) {
  const before = await runBefore([hook], ctx);
  return {
    refusal: before.refusal,
    /** The environment the lower runtime gets: the hook returns its edit, never mutates. */
    env: before.call.env,
    after: (status: number) => runAfter(before.ran, ctx, before.call, { status, signal: null }),
  };
}

function bundle(name: string, config: object): string {
  const b = join(dir, name);
  mkdirSync(b, { recursive: true });
  writeFileSync(join(b, 'config.json'), JSON.stringify(config));
  return b;
}

const restore = (b: string, id: string): string[] => ['restore', '--bundle', b, '--detach', id];

test('a cgroup path from the id when linux.cgroupsPath is absent; file removed after', async () => {
  const ctx = context(restore(bundle('a', { linux: {} }), 'cgt-herd-new'), 'always');
  const call = await around(ctx);
  const file = call.env.CRIU_CONFIG_FILE as string;
  assert.ok(file?.startsWith(`${criuDir}/`), String(file));
  const lines = readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('cgroup-root'));
  assert.ok(lines.length > 0);
  for (const line of lines) assert.match(line, /^cgroup-root [^\s:]*:\/cgt-herd-new$/);
  assert.not.ok(
    lines.some((l) => l === 'cgroup-root /cgt-herd-new'),
    'never a global root',
  );
  await call.after(0);
  assert.not.ok(existsSync(file));
  assert.is(ctx.env.CRIU_CONFIG_FILE, undefined, "the caller's environment is untouched");
  assert.is(ctx.childEnv.CRIU_CONFIG_FILE, undefined, 'the context is not mutated');
});

test("the caller's CRIU_CONFIG_FILE is carried into the generated file", async () => {
  const own = join(dir, 'own.conf');
  writeFileSync(own, 'tcp-established\ncgroup-root :/elsewhere\n');
  const ctx = context(restore(bundle('b', { linux: { cgroupsPath: '/pod/c1' } }), 'c1'), 'always', {
    CRIU_CONFIG_FILE: own,
  });
  const call = await around(ctx);
  const file = call.env.CRIU_CONFIG_FILE as string;
  assert.is.not(file, own);
  const text = readFileSync(file, 'utf8');
  assert.match(text, /^tcp-established$/m);
  assert.match(text, /^# replaced by cgherd: cgroup-root :\/elsewhere$/m);
  assert.match(text, /:\/pod\/c1$/m);
  await call.after(1);
  assert.not.ok(existsSync(file));
  assert.ok(existsSync(own), "the caller's own file is never removed");
});

test('skipped: systemd cgroup manager, forced off, no linux section', async () => {
  for (const [argv, mode] of [
    [['--systemd-cgroup', ...restore(bundle('c', { linux: {} }), 'x')], 'always'],
    [restore(bundle('d', { linux: {} }), 'x'), 'never'],
    [restore(bundle('e', {}), 'x'), 'always'],
  ] as const) {
    const ctx = context([...argv], mode);
    assert.is((await around(ctx)).env.CRIU_CONFIG_FILE, undefined, argv.join(' '));
  }
});

test('files left by dead restores are removed at the next restore; live ones and others kept', async () => {
  mkdirSync(criuDir, { recursive: true });
  // pid_max is at most 2^22: these writers cannot be alive.
  const dead = ['restore-old-99999999.conf', '.restore-old-99999998.tmp'];
  const kept = [`restore-live-${process.pid}.conf`, 'restore-x-1.conf', 'notes.txt'];
  for (const name of [...dead, ...kept]) writeFileSync(join(criuDir, name), '');
  const ctx = context(restore(bundle('f', { linux: {} }), 'cgt-orphans'), 'always');
  const call = await around(ctx);
  const left = readdirSync(criuDir);
  for (const name of dead) assert.not.ok(left.includes(name), `${name} left`);
  for (const name of kept) assert.ok(left.includes(name), `${name} removed`);
  await call.after(0);
  for (const name of kept) rmSync(join(criuDir, name));
  assert.equal(readdirSync(criuDir), [], 'no temporary file left either');
});

test('a broken bundle never refuses the restore', async () => {
  const ctx = context(restore(join(dir, 'missing'), 'x'), 'always');
  const call = await around(ctx);
  assert.is(call.refusal, undefined);
  assert.is(call.env.CRIU_CONFIG_FILE, undefined);
});

test.run();
