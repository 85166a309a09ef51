// What reaches the lower runtime through cgherd: a recorder runtime (test/lib/bed/recorder.ts)
// in front of crun logs each call's argv and environment. For every command of facts.md's
// list (Podman's and conmon's calls, with the environments they really pass: conmon's
// eight variables, PATH and XDG_RUNTIME_DIR for start and checkpoint, XDG_RUNTIME_DIR alone
// for delete, kill, pause and resume), the argv is the one given and the environment the
// one given plus CGHERD_LOOP_GUARD (the loop guard's marker). `restore` adds CRIU_CONFIG_FILE and nothing else, and only over a lower
// runtime that needs it (crun 1.8.1); over crun 1.21 it adds nothing. cgroup v1.
// Control: calls mangled as a careless forwarder would (a byte of argv lost, a newline or
// UTF-8 value rewritten, an empty variable dropped, one added), made for real through the
// recorder, must each fail the same check that cgherd's calls pass.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CGHERD_BIN, RUNTIMES, inMode } from '../lib/bed/bed.js';
import { makeBundle } from '../lib/scenario/bundle.js';
import { cleanupPrefix } from '../lib/bed/cleanup.js';
import { makeRecorder, type RecordedCall, type Recorder } from '../lib/bed/recorder.js';

const PREFIX = 'cgt-rt-rec-';
const dir = mkdtempSync(join('/tmp', PREFIX));
const root = join(dir, 'state');
mkdirSync(root);

test.after(async () => {
  await cleanupPrefix(PREFIX, { stateRoots: [root] });
  rmSync(dir, { recursive: true, force: true });
});

type Env = Record<string, string>;

// Values a careless forwarder would mangle: a newline, an `=`, bytes beyond ASCII, empty.
// NODE_OPTIONS: the launcher hides it from its own Node and hands it back to the child.
const ODD: Env = {
  CGT_ODD: 'a b\nc=d',
  CGT_UTF8: 'grüße',
  CGT_EMPTY: '',
  NODE_OPTIONS: '--max-old-space-size=64',
};
const CONMON: Env = {
  // Podman's own PATH; CRIU is in /usr/sbin, and libcriu finds it through PATH.
  PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  HOME: '/root',
  XDG_RUNTIME_DIR: '',
  CONTAINERS_CONF: '/etc/containers/containers.conf',
  _CONTAINERS_USERNS_CONFIGURED: '',
  _CONTAINERS_ROOTLESS_UID: '',
  ...ODD,
};
const PODMAN_START: Env = {
  PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  XDG_RUNTIME_DIR: '',
};
const PODMAN_BARE: Env = { XDG_RUNTIME_DIR: '' };

/** Runs argv through `bin` with exactly `env` (nothing from the test's own environment). */
function call(bin: string, argv: string[], env: Env) {
  const pairs = Object.entries(env).map(([k, v]) => `${k}=${v}`);
  return inMode('v1', '/usr/bin/env', ['-i', ...pairs, bin, ...argv], { cwd: dir });
}

/** What the recorder's own shell adds to any environment (dash exports PWD). */
let shellAdds: Map<string, string>;

function expectCall(calls: RecordedCall[], argv: string[], env: Env, extra: string[] = []) {
  // cgherd may ask the lower runtime its version first (the restore root decision).
  const others = calls.filter((c) => !(c.argv.length === 1 && c.argv[0] === '--version'));
  const wanted = argv.length === 1 && argv[0] === '--version' ? calls : others;
  assert.is(wanted.length, 1, `calls: ${JSON.stringify(calls.map((c) => c.argv))}`);
  const got = wanted[0] as RecordedCall;
  assert.equal(got.argv, argv, 'argv');
  const expected = new Map([...Object.entries(env), ...shellAdds]);
  const gotKeys = [...got.env.keys()].filter((k) => !extra.includes(k)).sort();
  assert.equal(gotKeys, [...expected.keys()].sort(), `variables of ${argv.join(' ')}`);
  for (const [k, v] of expected) assert.is(got.env.get(k), v, `${k} of ${argv.join(' ')}`);
  for (const k of extra) assert.ok(got.env.has(k), `${k} added`);
  return got;
}

async function through(rec: Recorder, argv: string[], env: Env, extra: string[] = []) {
  rec.take();
  const r = await call(CGHERD_BIN, argv, { ...env, CGHERD_RUNTIME: rec.bin });
  // The one variable cgherd adds to every call: its loop guard (src/lower/loop-guard.ts),
  // which a wrapper that runs cgherd again would carry back. crun keeps it out of the
  // container (test/integration/broken-config-teardown.test.ts prints `env` in one).
  const expected = { ...env, CGHERD_RUNTIME: rec.bin, CGHERD_LOOP_GUARD: CGHERD_BIN };
  const got = expectCall(rec.take(), argv, expected, extra);
  return { r, got };
}

/** The shell's own additions, from a direct call with no cgherd in between. */
async function learnShellAdds(rec: Recorder): Promise<void> {
  rec.take();
  await call(rec.bin, ['--version'], ODD);
  const direct = rec.take()[0] as RecordedCall;
  shellAdds = new Map([...direct.env].filter(([k]) => !(k in ODD)));
  console.log(`  the recorder's shell adds: ${[...shellAdds.keys()].join(', ') || 'nothing'}`);
}

test('argv and environment reach the lower runtime unchanged, for every command', async () => {
  const rec = makeRecorder(join(dir, 'rec181'), RUNTIMES.crun181);
  await learnShellAdds(rec);

  const bundle = await makeBundle(join(dir, 'bundle'), { tree: 'single', mode: 'v1' });
  const bundle2 = await makeBundle(join(dir, 'bundle2'), { tree: 'single', mode: 'v1' });
  const id = `${PREFIX}a`;
  const id2 = `${PREFIX}b`;
  const log = join(dir, 'log.json');
  const g = ['--root', root, '--log', log, '--log-format', 'json'];
  const processFile = join(dir, 'process.json');
  writeFileSync(
    processFile,
    JSON.stringify({ args: ['/bin/sleep', '1001'], cwd: '/', user: { uid: 0, gid: 0 } }),
  );
  const resources = join(dir, 'resources.json');
  writeFileSync(resources, JSON.stringify({ cpu: { shares: 512 } }));
  const image = join(dir, 'image');
  mkdirSync(image);

  const steps: [string[], Env][] = [
    [['--version'], PODMAN_START],
    [[...g, 'create', '--bundle', bundle, '--pid-file', join(dir, 'pid'), id], CONMON],
    [[...g, 'start', id], PODMAN_START],
    [['--root', root, 'state', id], PODMAN_START],
    [['--root', root, 'list'], PODMAN_START],
    [[...g, 'pause', id], PODMAN_BARE],
    [[...g, 'resume', id], PODMAN_BARE],
    [[...g, 'update', '--resources', resources, id], PODMAN_START],
    [
      [...g, 'exec', '--pid-file', join(dir, 'exec.pid'), '--process', processFile, '--detach', id],
      CONMON,
    ],
    [[...g, 'kill', id, '0'], PODMAN_BARE],
    [[...g, 'checkpoint', '--help'], PODMAN_START],
    [
      [...g, 'checkpoint', '--image-path', image, '--work-path', dir, '--file-locks', id],
      PODMAN_START,
    ],
  ];
  for (const [argv, env] of steps) {
    const { r } = await through(rec, argv, env);
    console.log(
      `  ${argv
        .filter((a) => !g.includes(a))
        .slice(0, 2)
        .join(' ')}: exit ${r.code}`,
    );
    if (argv.includes('checkpoint') && !argv.includes('--help')) {
      assert.is(r.code, 0, `checkpoint: ${r.stderr}`);
    }
  }

  // restore over crun 1.8.1: exactly one variable more, CRIU_CONFIG_FILE.
  const restoreArgv = [
    ...g,
    'restore',
    '--bundle',
    bundle2,
    '--pid-file',
    join(dir, 'pid2'),
    '--detach',
    '--image-path',
    image,
    '--work-path',
    dir,
    '--file-locks',
    id2,
  ];
  const { r, got } = await through(rec, restoreArgv, CONMON, ['CRIU_CONFIG_FILE']);
  assert.is(r.code, 0, `restore: ${r.stderr}`);
  assert.match(got.env.get('CRIU_CONFIG_FILE') ?? '', /^\/run\/cgherd\/criu\/restore-/);

  for (const argv of [
    [...g, 'kill', '--all', id2, '9'],
    [...g, 'delete', '--force', id2],
    [...g, 'delete', '--force', id],
  ]) {
    await through(rec, argv, PODMAN_BARE);
  }
});

test('restore over crun 1.21 (no restore root needed) adds nothing', async () => {
  const rec = makeRecorder(join(dir, 'rec121'), RUNTIMES.crun121);
  const bundle = await makeBundle(join(dir, 'bundle121'), { tree: 'single', mode: 'v1' });
  const bundle2 = await makeBundle(join(dir, 'bundle121b'), { tree: 'single', mode: 'v1' });
  const id = `${PREFIX}c`;
  const id2 = `${PREFIX}d`;
  const image = join(dir, 'image121');
  mkdirSync(image);
  const g = ['--root', root];
  await through(rec, [...g, 'run', '--detach', '--bundle', bundle, id], CONMON);
  const dump = await through(
    rec,
    [...g, 'checkpoint', '--image-path', image, '--work-path', image, id],
    PODMAN_START,
  );
  assert.is(dump.r.code, 0, dump.r.stderr);
  const restoreArgv = [
    ...g,
    'restore',
    '--detach',
    '--bundle',
    bundle2,
    '--image-path',
    image,
    '--work-path',
    image,
    id2,
  ];
  const { r, got } = await through(rec, restoreArgv, CONMON);
  assert.is(r.code, 0, `restore: ${r.stderr}`);
  assert.not.ok(got.env.has('CRIU_CONFIG_FILE'));
  await through(rec, [...g, 'delete', '--force', id2], PODMAN_BARE);
});

test('control: a mangled call, made for real through the recorder, fails the check', async () => {
  const rec = makeRecorder(join(dir, 'recbad'), RUNTIMES.crun181);
  await learnShellAdds(rec);
  const argv = ['--root', root, 'list'];
  const env: Env = { ...PODMAN_START, ...ODD };
  const withoutEmpty = Object.fromEntries(Object.entries(env).filter(([k]) => k !== 'CGT_EMPTY'));
  const mangled: [what: string, argv: string[], env: Env][] = [
    ['the last byte of an argument lost', ['--root', root.slice(0, -1), 'list'], env],
    ['a newline in a value turned into a space', argv, { ...env, CGT_ODD: 'a b c=d' }],
    ['a UTF-8 value read as Latin-1', argv, { ...env, CGT_UTF8: 'gr\u00c3\u00bc\u00c3\u009fe' }],
    ['an empty variable dropped', argv, withoutEmpty],
    ['a variable added', argv, { ...env, CGT_ADDED: '1' }],
  ];
  // The same call unmangled passes: the check itself is not what fails below.
  rec.take();
  await call(rec.bin, argv, env);
  expectCall(rec.take(), argv, env);
  for (const [what, badArgv, badEnv] of mangled) {
    rec.take();
    await call(rec.bin, badArgv, badEnv);
    let caught = '';
    try {
      expectCall(rec.take(), argv, env);
    } catch (error) {
      caught = error instanceof Error ? error.message : String(error);
    }
    console.log(`  ${what}: caught (${JSON.stringify(caught.split('\n')[0])})`);
    assert.ok(caught !== '', `${what}: the recorder's check passed a mangled call`);
  }
});

test.run();
