// Issue 18, item 1: a rootless Podman 4.3.1 user gets exactly what the lower runtime alone
// gives, through a root-owned install tree (which the user's namespace shows as uid
// 65534). Each command runs twice, in the same user's Podman: once on a container created
// with runc alone (the control), once on one created with cgherd over runc; stdout, stderr
// and the exit status must match, with the container's name and id read as placeholders.
//   1. `--runtime`: cgherd registered under its own name, through the two-line wrapper
//      the README describes (its config file names runc).
//   2. The drop-in: `cgherd install podman --as crun` run by root on a private root
//      directory (where Podman's "crun" was runc: rootless crun refuses every container
//      on this hybrid host), and the user's CONTAINERS_CONF holding that drop-in's text.
//      Control: the same name "crun" registered as runc itself.
// Rootless `container checkpoint` is refused by Podman itself: the same refusal either way.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { RUNTIMES, runCommand } from '../lib/bed/bed.js';
import {
  LIFE,
  ONE_SHOT,
  RootlessPodman,
  assertSame,
  installTree,
  lifeOf,
  rootlessContainersConf,
  wrapperScript,
  type Lived,
} from '../lib/rootless.js';

const NAME = 'cgt-rootless';
const DIR = `/tmp/${NAME}-tree`;
const JSON_NAMES = '["crun", "runc", "kata", "runsc", "krun", "cgherd"]';
const STEPS = [...ONE_SHOT, ...LIFE];
const life = (pm: RootlessPodman, runtime: string[], name: string): Promise<Lived> =>
  lifeOf((args) => pm.podman(args), runtime, name, STEPS);

const T = suite('podman rootless');
let launcher = '';

T.before(() => {
  launcher = installTree(DIR);
  const lines = readFileSync(join(DIR, 'bin/cgherd'), 'utf8');
  assert.ok(lines.startsWith('#!/bin/sh'), 'the tree holds the launcher');
});

T.after(async () => {
  await runCommand('rm', ['-rf', DIR]);
});

T('--runtime cgherd (the two-line wrapper, its config names runc) = runc alone', async () => {
  const config = join(DIR, 'etc/config.json');
  await runCommand('mkdir', ['-p', join(DIR, 'etc')]);
  await runCommand('sh', ['-c', `printf '{"runtime": "${RUNTIMES.runc}"}\\n' > ${config}`]);
  const wrapper = join(DIR, 'cgherd-runc');
  wrapperScript(wrapper, { CGHERD_CONFIG: config }, launcher);
  const conf = rootlessContainersConf(
    [
      `runtime_supports_json = ${JSON_NAMES}`,
      '[engine.runtimes]',
      `runc = ["${RUNTIMES.runc}"]`,
      `cgherd = ["${wrapper}"]`,
    ].join('\n'),
  );
  const pm = await RootlessPodman.start(`${NAME}-own`, conf);
  try {
    const control = await life(pm, ['--runtime', 'runc'], 'cgt-rl-c');
    const cgherd = await life(pm, ['--runtime', 'cgherd'], 'cgt-rl-c');
    assertSame(control, cgherd, 'runc');
  } finally {
    await pm.stop();
  }
});

T('install podman --as crun, then CONTAINERS_CONF with its drop-in = runc alone', async () => {
  const root = join(DIR, 'root');
  await runCommand('mkdir', ['-p', join(root, 'etc/containers')]);
  await runCommand('sh', [
    '-c',
    `printf '[engine.runtimes]\\ncrun = ["${RUNTIMES.runc}"]\\n' > ${root}/etc/containers/containers.conf`,
  ]);
  // The launcher reads the config that install wrote under the private root.
  const wrapper = join(DIR, 'cgherd-takeover');
  wrapperScript(wrapper, { CGHERD_CONFIG: join(root, 'etc/cgherd/config.json') }, launcher);
  const install = await runCommand(launcher, [
    'install',
    'podman',
    '--as',
    'crun',
    '--root-dir',
    root,
    '--launcher',
    wrapper,
  ]);
  assert.is(install.code, 0, install.stderr + install.stdout);
  const dropIn = readFileSync(
    join(root, 'etc/containers/containers.conf.d/50-cgherd.conf'),
    'utf8',
  );
  assert.match(dropIn, new RegExp(`^crun = \\["${wrapper}"\\]$`, 'm'));
  // The drop-in's [engine] keys join the test's own [engine] table (one table per name).
  const engine = dropIn.replace(/^\[engine\]$/m, '');
  const takeover = await RootlessPodman.start(`${NAME}-as`, rootlessContainersConf(engine));
  let cgherd: Lived;
  try {
    cgherd = await life(takeover, [], 'cgt-rl-t');
  } finally {
    await takeover.stop();
  }
  const plain = rootlessContainersConf(
    [
      `runtime_supports_json = ${JSON_NAMES}`,
      '[engine.runtimes]',
      `crun = ["${RUNTIMES.runc}"]`,
    ].join('\n'),
  );
  const alone = await RootlessPodman.start(`${NAME}-alone`, plain);
  try {
    assertSame(await life(alone, [], 'cgt-rl-t'), cgherd, 'runc');
  } finally {
    await alone.stop();
  }
});

T.run();
