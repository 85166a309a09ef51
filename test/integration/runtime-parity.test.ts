// Pass-through parity: for the commands Podman and conmon use, cgherd over crun and crun
// itself give the same exit code, the same stdout and the same stderr, on real bundles in
// real cgroups (v1). Only what must differ between two containers is masked (see `mask`).

import { suite } from 'uvu';
import { before } from '../lib/bed/before.js';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CGHERD_BIN, RUNTIMES, inMode, type RunResult } from '../lib/bed/bed.js';
import { makeBundle } from '../lib/scenario/bundle.js';
import { cleanupPrefix } from '../lib/bed/cleanup.js';
import { untilAsync } from '../lib/bed/poll.js';

const PREFIX = 'cgt-rt-par-';
const test = suite('runtime parity');
const work = mkdtempSync(join(tmpdir(), PREFIX));

interface Side {
  label: string;
  bin: string;
  env: Record<string, string>;
  root: string;
  id: string;
}

const sides: Side[] = [
  {
    label: 'crun',
    bin: RUNTIMES.crun121,
    env: {},
    root: join(work, 'root-crun'),
    id: `${PREFIX}a`,
  },
  {
    label: 'cgherd',
    bin: CGHERD_BIN,
    env: { CGHERD_RUNTIME: RUNTIMES.crun121 },
    root: join(work, 'root-cgherd'),
    id: `${PREFIX}b`,
  },
];

/** The init pids each side's container had, newest last: the only numbers masked. */
const pidsOf = new Map<Side, number[]>();

/** What legitimately differs between the two sides, and nothing else:
 *  - the container id: both containers exist at once, so each side has its own;
 *  - the state root: each side keeps its own, so neither runtime sees the other's state;
 *  - the init's pid (and only it): two processes cannot share a pid;
 *  - ISO times (`created`): the two containers are made moments apart;
 *  - runs of blanks: `list` pads its columns to the widest pid and time, which the masks
 *    above change in length. */
function mask(text: string, side: Side): string {
  let out = text.split(side.id).join('<ID>').split(side.root).join('<ROOT>');
  out = out.replace(/\d{4}-\d\d-\d\dT[\d:.]+(Z|[+-]\d\d:\d\d)/g, '<TIME>');
  for (const pid of pidsOf.get(side) ?? [])
    out = out.replace(new RegExp(`\\b${pid}\\b`, 'g'), '<PID>');
  return out.replace(/[ \t]+/g, ' ');
}

/** Records the init pid of each side's container (from crun, not from the code under test). */
async function notePids(): Promise<void> {
  for (const side of sides) {
    const r = await inMode('v1', RUNTIMES.crun121, ['--root', side.root, 'state', side.id]);
    assert.is(r.code, 0, `state of ${side.label}'s container: ${r.stderr}`);
    const pid = (JSON.parse(r.stdout) as { pid: number }).pid;
    pidsOf.set(side, [...(pidsOf.get(side) ?? []), pid]);
  }
}

async function call(side: Side, args: string[], cwd?: string): Promise<RunResult> {
  const opts: { env: Record<string, string>; cwd?: string } = { env: side.env };
  if (cwd !== undefined) opts.cwd = cwd;
  return inMode(
    'v1',
    side.bin,
    ['--root', side.root, ...args.map((a) => (a === '<ID>' ? side.id : a))],
    opts,
  );
}

async function same(args: string[], cwd?: (side: Side) => string): Promise<RunResult[]> {
  const results: RunResult[] = [];
  for (const side of sides) results.push(await call(side, args, cwd?.(side)));
  const [a, b] = results as [RunResult, RunResult];
  const [sa, sb] = sides as [Side, Side];
  assert.is(
    b.code,
    a.code,
    `exit code of ${args.join(' ')}: crun ${a.code}, cgherd ${b.code}\n${b.stderr}`,
  );
  assert.is(mask(b.stdout, sb), mask(a.stdout, sa), `stdout of ${args.join(' ')}`);
  assert.is(mask(b.stderr, sb), mask(a.stderr, sa), `stderr of ${args.join(' ')}`);
  return results;
}

let bundle = '';

before(test, async () => {
  bundle = await makeBundle(join(work, 'bundle'), { tree: 'single', mode: 'v1' });
});

test('spec writes the same config.json', async () => {
  const dirs = sides.map((s) => mkdtempSync(join(work, `spec-${s.label}-`)));
  await same(['spec'], (s) => dirs[sides.indexOf(s)] as string);
  const [a, b] = dirs.map((d) => readFileSync(join(d, 'config.json'), 'utf8'));
  assert.is(b, a);
});

test('create / start / state / list / ps / pause / resume / kill / delete', async () => {
  await same(['create', '--bundle', bundle, '<ID>']);
  await notePids();
  await same(['start', '<ID>']);
  const states = await same(['state', '<ID>']);
  assert.match(states[1]?.stdout ?? '', /"status": "running"/);
  await same(['list']);
  await same(['ps', '<ID>']);
  await same(['pause', '<ID>']);
  await same(['state', '<ID>']);
  await same(['resume', '<ID>']);
  await same(['exec', '<ID>', 'echo', 'hello from exec']);
  await same(['kill', '<ID>', '9']);
  const stopped = async (side: Side): Promise<boolean> =>
    (await call(side, ['state', '<ID>'])).stdout.includes('"status": "stopped"');
  for (const side of sides) {
    assert.ok(await untilAsync(() => stopped(side), 10_000), `${side.label}: not stopped`);
  }
  await same(['state', '<ID>']);
  await same(['delete', '<ID>']);
  await same(['state', '<ID>']);
});

test('run -d, then delete --force', async () => {
  await same(['run', '-d', '--bundle', bundle, '<ID>']);
  await notePids();
  await same(['state', '<ID>']);
  await same(['delete', '--force', '<ID>']);
});

test('checkpoint --help, an unknown command and a missing container', async () => {
  const [help] = await same(['checkpoint', '--help']);
  assert.is(help?.code, 0);
  assert.match(help?.stdout ?? '', /image-path/);
  const [unknown] = await same(['no-such-command']);
  assert.is.not(unknown?.code, 0);
  const [gone] = await same(['state', `${PREFIX}gone`]);
  assert.is.not(gone?.code, 0);
  await same(['kill', `${PREFIX}gone`, '15']);
  await same(['delete', `${PREFIX}gone`]);
});

test('--version: cgherd line first, then the lower runtime unchanged', async () => {
  const crun = await call(sides[0] as Side, ['--version']);
  const cgherd = await call(sides[1] as Side, ['--version']);
  assert.is(cgherd.code, 0);
  const [first, ...rest] = cgherd.stdout.split('\n');
  assert.match(first ?? '', /^cgherd version \d+\.\d+\.\d+$/);
  const rundir = (text: string, side: Side): string => text.split(side.root).join('<ROOT>');
  assert.is(rundir(rest.join('\n'), sides[1] as Side), rundir(crun.stdout, sides[0] as Side));
  assert.is(cgherd.stderr, crun.stderr, 'stderr of --version');
});

test.after(async () => {
  for (const side of sides) {
    await inMode('v1', RUNTIMES.crun121, ['--root', side.root, 'delete', '--force', side.id]);
  }
  await cleanupPrefix(PREFIX);
  rmSync(work, { recursive: true, force: true });
});

test.run();
