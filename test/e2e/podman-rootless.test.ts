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
import { RUNTIMES, runCommand, type RunResult } from '../lib/bed/bed.js';
import {
  ROOTLESS_IMAGE,
  RootlessPodman,
  installTree,
  rootlessContainersConf,
  wrapperScript,
} from '../lib/rootless.js';

const NAME = 'cgt-rootless';
const DIR = `/tmp/${NAME}-tree`;
const JSON_NAMES = '["crun", "runc", "kata", "runsc", "krun", "cgherd"]';

interface Seen {
  code: number;
  out: string;
  err: string;
}

/** One command's result, with `name` (and any 64-hex id) read as placeholders. */
function seen(r: RunResult, name: string): Seen {
  const norm = (s: string): string =>
    s
      .replaceAll(name, 'NAME')
      .replace(/\b[0-9a-f]{64}\b/g, 'ID')
      .replace(/\b[0-9a-f]{12}\b/g, 'ID')
      .replace(/ (?:\d+|About an?|Less than a) \w+ ago/g, ' N ago')
      .replace(/time="[^"]*"/g, 'time="T"')
      // Podman names the runtime (its name in containers.conf) before the runtime's error.
      .replace(/^Error: (?:runc|cgherd|crun): /gm, 'Error: RUNTIME: ')
      .trim();
  return { code: r.code, out: norm(r.stdout), err: norm(r.stderr) };
}

type Step = [label: string, args: (name: string) => string[]];

/** The life of one container, every command the issue lists. */
const LIFE: Step[] = [
  [
    'run -d',
    (n) => ['run', '-d', '--name', n, ROOTLESS_IMAGE, 'sh', '-c', 'echo started; exec sleep 1000'],
  ],
  ['exec', (n) => ['exec', n, 'sh', '-c', 'echo in; id -u; exit 4']],
  ['ps', (n) => ['ps', '--filter', `name=^${n}$`, '--format', '{{.Names}} {{.Status}}']],
  ['inspect', (n) => ['inspect', '--format', '{{.State.Status}} {{.State.ExitCode}}', n]],
  ['logs', (n) => ['logs', n]],
  ['pause', (n) => ['pause', n]],
  ['unpause', (n) => ['unpause', n]],
  ['container checkpoint', (n) => ['container', 'checkpoint', n]],
  ['kill', (n) => ['kill', n]],
  // kill returns before conmon has recorded the exit: wait for it, as a user would.
  ['wait', (n) => ['wait', n]],
  ['inspect after kill', (n) => ['inspect', '--format', '{{.State.Status}}', n]],
  ['start', (n) => ['start', n]],
  ['stop', (n) => ['stop', '--time', '1', n]],
  ['rm', (n) => ['rm', n]],
];

/** One-shot runs: output and exit status. */
const ONE_SHOT: Step[] = [
  ['run --rm echo', () => ['run', '--rm', ROOTLESS_IMAGE, 'sh', '-c', 'echo hi; id -u']],
  [
    'run --rm exit 3',
    () => ['run', '--rm', ROOTLESS_IMAGE, 'sh', '-c', 'echo out; echo err >&2; exit 3'],
  ],
  ['run --rm missing command', () => ['run', '--rm', ROOTLESS_IMAGE, '/no/such']],
];

/** Runs every step with `--runtime` (if given) on container `name`; the results in order. */
async function lifeOf(pm: RootlessPodman, runtime: string[], name: string): Promise<Seen[]> {
  const out: Seen[] = [];
  for (const [label, args] of [...ONE_SHOT, ...LIFE]) {
    const argv = args(name);
    // --runtime belongs right after `run`.
    const full = argv[0] === 'run' ? ['run', ...runtime, ...argv.slice(1)] : argv;
    const r = await pm.podman(full);
    const s = seen(r, name);
    console.log(`  ${label} [${runtime.join(' ') || 'default'}]: ${JSON.stringify(s)}`);
    out.push(s);
  }
  return out;
}

function assertSame(control: Seen[], cgherd: Seen[]): void {
  const labels = [...ONE_SHOT, ...LIFE].map(([label]) => label);
  labels.forEach((label, i) =>
    assert.equal(cgherd[i], control[i], `${label}: differs from runc alone`),
  );
  // The control really ran: the first run printed, the exec's status came back.
  assert.is(control[0]?.out, 'hi\n0');
  assert.is(control[3]?.code, 0, 'control: run -d');
  assert.is(control[4]?.code, 4, 'control: exec');
  // Podman 4.3.1's own refusal, unchanged.
  assert.match(control[10]?.err ?? '', /checkpointing a container requires root/);
}

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
    const control = await lifeOf(pm, ['--runtime', 'runc'], 'cgt-rl-c');
    const cgherd = await lifeOf(pm, ['--runtime', 'cgherd'], 'cgt-rl-c');
    assertSame(control, cgherd);
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
  let cgherd: Seen[];
  try {
    cgherd = await lifeOf(takeover, [], 'cgt-rl-t');
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
    assertSame(await lifeOf(alone, [], 'cgt-rl-t'), cgherd);
  } finally {
    await alone.stop();
  }
});

T.run();
