// Proven checkpoints (issue 21 item 3), real crun 1.8.1 and CRIU. A checkpoint through
// cgherd starts no Node when a proof record vouches for the container, and Node (and the
// herd) whenever it cannot: a container restored by bare crun, an id made again outside
// cgherd, a record from another boot, a container that could move its own processes.
//
// Node starts are counted by strace on the launcher's own process, without -f: that
// process execs either Node or the lower runtime, so its execve list is the launcher's
// decision, whatever any log says. Node's own children are not followed (they do not
// need to be: each Node start is an exec of that process).

import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync, readdirSync } from 'node:fs';
import { basename } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CGHERD_BIN, MODES, RUNTIMES, inMode, type CgroupMode } from '../lib/bed/bed.js';
import { TREE8_SIZE } from '../lib/scenario/bundle.js';
import { cleanupPrefix } from '../lib/bed/cleanup.js';
import { checkpointArgv } from '../lib/scenario/cr-argv.js';
import { Scenario, bare, viaCgherd } from '../lib/scenario/scenario.js';
import { PROOF_DIR } from '../../src/proof/store.js';
import { criuOnPath, criuStamp } from '../../src/criu/criu-binary.js';
import { formatProbeRecord, readBootId } from '../../src/criu/probe-cache.js';

const PREFIX = 'cgt-proof-';
const CRUN = RUNTIMES.crun181;
const STRACE = '/usr/bin/strace';
let serial = 0;

function removeRecords(): void {
  if (!existsSync(PROOF_DIR)) return;
  for (const name of readdirSync(PROOF_DIR)) {
    if (name.startsWith(PREFIX)) rmSync(`${PROOF_DIR}/${name}`, { force: true });
  }
}

test.after(async () => {
  await cleanupPrefix(PREFIX);
  removeRecords();
});

const record = (id: string): string => `${PROOF_DIR}/${id}`;

interface Traced {
  code: number;
  stderr: string;
  /** The programs the launcher's process became, in order (the launcher first). */
  execs: string[];
}

/** `checkpoint` through cgherd, its process traced for execve. */
async function tracedCheckpoint(sc: Scenario, id: string, leaveRunning: boolean): Promise<Traced> {
  const image = sc.path(`img-${serial++}`);
  const work = sc.workPathFor(image);
  mkdirSync(image, { recursive: true });
  mkdirSync(work, { recursive: true });
  const log = `${image}.strace`;
  const argv = ['--root', sc.root, ...checkpointArgv(id, image, work, leaveRunning)];
  const r = await inMode(
    sc.mode,
    STRACE,
    ['-qq', '-o', log, '-e', 'trace=execve', '--', CGHERD_BIN, ...argv],
    { env: { CGHERD_RUNTIME: CRUN } },
  );
  const execs = readFileSync(log, 'utf8')
    .split('\n')
    .filter((line) => /^execve\(/.test(line) && / = 0$/.test(line))
    .map((line) => /^execve\("([^"]*)"/.exec(line)?.[1] ?? '?');
  return { code: r.code, stderr: r.stderr, execs };
}

const NODE_PATH = /\/node(js)?$/;
const nodeStarts = (t: Traced): number => t.execs.filter((p) => NODE_PATH.test(p)).length;

function assertNoNode(t: Traced, what: string): void {
  assert.is(t.code, 0, `${what}: ${t.stderr}`);
  assert.equal(t.execs, [CGHERD_BIN, CRUN], `${what}: the launcher exec'd crun itself`);
}

function assertOneNode(t: Traced, what: string): void {
  assert.is(t.code, 0, `${what}: ${t.stderr}`);
  assert.is(t.execs[0], CGHERD_BIN);
  assert.is(nodeStarts(t), 1, `${what}: ${t.execs.join(' ')}`);
}

/** A bundle whose container cannot move its own processes (private cgroup namespace, no
 *  CAP_SYS_ADMIN, read-only cgroup mount), edited by `change` when given. */
async function bundle(
  sc: Scenario,
  name: string,
  opts: { cgroupNamespace?: boolean; tree?: 'tree8' | 'single' } = {},
  change?: (config: Record<string, unknown>) => void,
): Promise<string> {
  const dir = await sc.bundle(name, {
    tree: opts.tree ?? 'tree8',
    cgroupNamespace: opts.cgroupNamespace ?? true,
  });
  if (change) {
    const file = `${dir}/config.json`;
    const config = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    change(config);
    writeFileSync(file, JSON.stringify(config, null, 2));
  }
  return dir;
}

/** Runs `first` by bare crun, checkpoints it by bare crun, restores it as a new id through
 *  cgherd (the proof is written there). Returns the restored id. */
async function restoredThroughCgherd(
  sc: Scenario,
  change?: (config: Record<string, unknown>) => void,
): Promise<string> {
  const n = serial++;
  const first = `${PREFIX}${n}a`;
  const second = `${PREFIX}${n}b`;
  const bareSc = sc.through(bare(CRUN, 'crun 1.8.1'));
  assert.is((await bareSc.run(first, await bundle(sc, `b${n}a`, {}, change))).code, 0);
  await sc.waitForTree(first, TREE8_SIZE);
  const image = sc.path(`first-${n}`);
  const dumped = await bareSc.checkpoint(first, image);
  assert.is(dumped.code, 0, dumped.stderr);
  const restored = await sc.restore(second, await bundle(sc, `b${n}b`, {}, change), image);
  assert.is(restored.code, 0, restored.stderr);
  const placement = await sc.waitForTree(second, TREE8_SIZE);
  assert.equal(placement.strays, [], 'cgherd restored the whole tree into the cgroup');
  return second;
}

const cgherdOver = (mode: CgroupMode): Scenario =>
  new Scenario(mode, viaCgherd(CRUN, 'cgherd over crun 1.8.1'), PREFIX);

for (const mode of MODES) {
  test(`${mode}: restored through cgherd, the checkpoint starts no Node and passes`, async () => {
    const sc = cgherdOver(mode);
    try {
      const id = await restoredThroughCgherd(sc);
      assert.ok(existsSync(record(id)), 'the restore wrote a proof record');
      const t = await tracedCheckpoint(sc, id, false);
      console.log(`  ${mode}: proven checkpoint: ${t.execs.map((p) => basename(p)).join(' -> ')}`);
      assertNoNode(t, 'proven checkpoint');
    } finally {
      await sc.cleanup();
    }
  });
}

test('v1: run through cgherd, the first checkpoint starts no Node and passes', async () => {
  const sc = cgherdOver('v1');
  try {
    const id = `${PREFIX}${serial++}r`;
    assert.is((await sc.run(id, await bundle(sc, 'run'))).code, 0);
    await sc.waitForTree(id, TREE8_SIZE);
    assert.ok(existsSync(record(id)), 'run wrote a proof record');
    assertNoNode(await tracedCheckpoint(sc, id, false), 'checkpoint after run');
  } finally {
    await sc.cleanup();
  }
});

test('v1: on a host whose probe says breakpoints are missing, run writes no proof: the checkpoint needs Node (CRIU_FAULT)', async () => {
  // This boot's probe record for the CRIU crun will run, as criu-no-breakpoints writes
  // it, with the verdict a VM without debug registers gets. A proven checkpoint would
  // run CRIU 4.1 without CRIU_FAULT there, and hang.
  const cache = `/run/cgherd/test-proof-probe-${process.pid}.json`;
  const criu = criuOnPath(process.env.PATH);
  const stamp = criu === undefined ? undefined : criuStamp(criu);
  assert.ok(criu !== undefined && stamp !== undefined, 'criu on PATH');
  writeFileSync(
    cache,
    formatProbeRecord({
      bootId: readBootId() ?? 'unknown',
      criuPath: criu,
      criuStamp: stamp,
      criuVersion: '4.1.1',
      verdict: 'missing',
      detail: 'written by the test',
      ms: 0,
      probedAt: new Date().toISOString(),
    }),
    { mode: 0o600 },
  );
  const sc = new Scenario(
    'v1',
    viaCgherd(CRUN, 'cgherd over crun 1.8.1', { CGHERD_CRIU_PROBE_CACHE: cache }),
    PREFIX,
  );
  try {
    const id = `${PREFIX}${serial++}m`;
    assert.is((await sc.run(id, await bundle(sc, 'run-missing'))).code, 0);
    await sc.waitForTree(id, TREE8_SIZE);
    assert.not.ok(existsSync(record(id)), 'no proof record where CRIU needs CRIU_FAULT');
  } finally {
    await sc.cleanup();
    rmSync(cache, { force: true });
  }
});

test('v1: an id deleted and made again by bare crun, restored with strays: Node runs and heals', async () => {
  const sc = cgherdOver('v1');
  const bareSc = sc.through(bare(CRUN, 'crun 1.8.1'));
  try {
    // Control: bare crun 1.8.1's restore under a new id leaves strays, and a bare
    // checkpoint fails.
    const n = serial++;
    const [a, b] = [`${PREFIX}${n}a`, `${PREFIX}${n}b`];
    const noNs = { cgroupNamespace: false };
    assert.is((await bareSc.run(a, await bundle(sc, `c${n}a`, noNs))).code, 0);
    await sc.waitForTree(a, TREE8_SIZE);
    const image = sc.path(`c${n}`);
    assert.is((await bareSc.checkpoint(a, image, { leaveRunning: true })).code, 0);
    const broken = async (id: string): Promise<void> => {
      const r = await bareSc.restore(id, await bundle(sc, `c-${id}`, noNs), image);
      assert.is(r.code, 0, r.stderr);
      const placement = await sc.waitForTree(id, TREE8_SIZE);
      assert.ok(placement.strays.length > 0, 'bare crun 1.8.1 must leave strays (control)');
    };
    await broken(b);
    const control = sc.path(`control-${n}`);
    assert.is.not((await bareSc.checkpoint(b, control)).code, 0, 'control: bare checkpoint');
    assert.match(await sc.dumpLog(control), 'Unseizable non-zombie');

    // The id had a proof from cgherd; then bare crun deleted it and restored it again.
    const id = `${PREFIX}${n}x`;
    assert.is((await sc.run(id, await bundle(sc, `x${n}`))).code, 0);
    assert.ok(existsSync(record(id)), 'run through cgherd wrote a proof record');
    assert.is((await bareSc.delete(id, true)).code, 0);
    await broken(id);
    assert.ok(existsSync(record(id)), 'the stale record is still there');
    const t = await tracedCheckpoint(sc, id, false);
    console.log(`  stale record: ${t.execs.map((p) => basename(p)).join(' -> ')}`);
    assertOneNode(t, 'checkpoint of a bare-restored container');
  } finally {
    await sc.cleanup();
  }
});

test('v2: an id made again by bare crun after a proven restore: Node runs', async () => {
  const sc = cgherdOver('v2');
  const bareSc = sc.through(bare(CRUN, 'crun 1.8.1'));
  try {
    const id = await restoredThroughCgherd(sc);
    const proof = readFileSync(record(id), 'utf8');
    assert.is((await bareSc.delete(id, true)).code, 0);
    assert.is((await bareSc.run(id, await bundle(sc, `again-${id}`))).code, 0);
    await sc.waitForTree(id, TREE8_SIZE);
    assert.is(readFileSync(record(id), 'utf8'), proof, 'the old record is untouched');
    assertOneNode(await tracedCheckpoint(sc, id, false), 'checkpoint of the new container');
  } finally {
    await sc.cleanup();
  }
});

test('v2: a record from another boot: Node runs, herds, and proves again', async () => {
  const sc = cgherdOver('v2');
  try {
    const id = await restoredThroughCgherd(sc);
    const lines = readFileSync(record(id), 'utf8').split('\n');
    const bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    assert.is(lines[1], bootId);
    // What a reboot leaves when /run survives it: the same record, another boot id.
    lines[1] = '00000000-0000-4000-8000-000000000000';
    writeFileSync(record(id), lines.join('\n'));
    assertOneNode(await tracedCheckpoint(sc, id, true), 'record from another boot');
    // The herd before that checkpoint found nothing astray and wrote a record for this boot.
    assert.is(readFileSync(record(id), 'utf8').split('\n')[1], bootId);
    assertNoNode(await tracedCheckpoint(sc, id, true), 'checkpoint after the re-proof');
  } finally {
    await sc.cleanup();
  }
});

test('v2: a privileged container (CAP_SYS_ADMIN, writable cgroup mount): no record, Node runs', async () => {
  const sc = cgherdOver('v2');
  try {
    const id = await restoredThroughCgherd(sc, (config) => {
      const caps = (config.process as { capabilities: Record<string, string[]> }).capabilities;
      for (const set of Object.values(caps)) set.push('CAP_SYS_ADMIN');
      for (const m of config.mounts as { type: string; options: string[] }[]) {
        if (m.type === 'cgroup') m.options = m.options.filter((o) => o !== 'ro');
      }
    });
    assert.not.ok(existsSync(record(id)), 'no proof for a container that can move processes');
    assertOneNode(await tracedCheckpoint(sc, id, false), 'privileged checkpoint');
  } finally {
    await sc.cleanup();
  }
});

test.run();
