// Issue 17, item 3: a checkpoint through cgherd whose CRIU makes no progress is stopped and
// reported, and the container is never left frozen. CRIU is held at post-dump by an
// action script (test/lib/bed/criu-hold.ts), which writes nothing while it waits, as a CRIU
// waiting for a breakpoint trap does. With a stall timeout of 3 s, on v1 and v2 over crun
// 1.8.1:
// - the call fails with one error record (stderr, and one line in the --log file) naming
//   the stall and the dump.log's last lines; CRIU is gone; the container still runs whole,
//   not frozen, not stopped, and checkpoints afterwards;
// - with the container's cgroup frozen while CRIU is held (what a CRIU killed during its
//   freeze leaves), cgherd thaws it;
// - control: bare crun 1.8.1 waits as long as CRIU does, well past the stall timeout.
// Nothing here is timed: the test waits for states (CRIU reached the stage, the call
// returned, CRIU gone).

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MODES, RUNTIMES, type CgroupMode, type RunResult } from '../lib/bed/bed.js';
import { TREE8_SIZE } from '../lib/scenario/bundle.js';
import { cleanupPrefix } from '../lib/bed/cleanup.js';
import { pathHasSegment } from '../lib/cgroups/cgroups.js';
import { checkpointArgv } from '../lib/scenario/cr-argv.js';
import { criuNear, gone, makeCriuHold } from '../lib/bed/criu-hold.js';
import { frozenWithPrefix, lowerStatus } from '../lib/scenario/fault.js';
import { cgroupsWhere } from '../lib/scenario/load.js';
import { sleep, until } from '../lib/bed/poll.js';
import { Scenario, bare, descendants, readPpidTable, viaCgherd } from '../lib/scenario/scenario.js';

const PREFIX = 'cgt-wd-';
const STALL_S = 3;

test.after(async () => {
  await cleanupPrefix(PREFIX);
});

let serial = 0;

function states(pids: number[]): string {
  return pids
    .map((p) => {
      try {
        const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
        return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
      } catch {
        return '-';
      }
    })
    .join('');
}

/** The container's freezer control on the host, for this mode. */
function freezerOf(mode: CgroupMode, id: string): string {
  const dirs = cgroupsWhere((rel) => pathHasSegment(rel, id));
  const file =
    mode === 'v1'
      ? dirs.find((d) => d.startsWith('/sys/fs/cgroup/freezer/'))?.concat('/freezer.state')
      : dirs.find((d) => d.startsWith('/sys/fs/cgroup/unified/'))?.concat('/cgroup.freeze');
  if (file === undefined) throw new Error(`no freezer cgroup for ${id} in ${dirs.join(' ')}`);
  return file;
}

async function stalledCheckpoint(mode: CgroupMode, freezeWhileHeld: boolean): Promise<void> {
  const n = serial++;
  const sc0 = new Scenario(
    mode,
    viaCgherd(RUNTIMES.crun181, 'cgherd over crun 1.8.1', {
      CGHERD_CRIU_STALL_TIMEOUT: String(STALL_S),
    }),
    PREFIX,
  );
  sc0.rt.env = { ...sc0.rt.env, CGHERD_CRIU_PROBE_CACHE: sc0.path('bp.json') };
  const hold = makeCriuHold(sc0.path('hold'), 'post-dump');
  const sc = sc0.through({ ...sc0.rt, env: { ...sc0.rt.env, CRIU_CONFIG_FILE: hold.config } });
  try {
    const id = `${PREFIX}${n}a`;
    assert.is((await sc.run(id, await sc.bundle('a', { tree: 'tree8' }))).code, 0);
    await sc.waitForTree(id, TREE8_SIZE);
    const image = sc.path('image');
    const work = sc.workPathFor(image);
    mkdirSync(image, { recursive: true });
    mkdirSync(work, { recursive: true });
    const log = sc.path('runtime-log.json');
    const pending = sc.call([
      '--log',
      log,
      '--log-format',
      'json',
      ...checkpointArgv(id, image, work),
    ]);
    const criu = criuNear(await hold.reached());
    assert.ok(criu !== undefined, 'no CRIU above the held script');
    if (freezeWhileHeld) {
      writeFileSync(freezerOf(mode, id), mode === 'v1' ? 'FROZEN' : '1');
      assert.ok(frozenWithPrefix(PREFIX).length > 0, 'the test froze the container');
    }
    const call: RunResult = await pending; // returns only because the watchdog stopped CRIU
    const criuGone = await gone(criu);
    hold.release();
    const records = readFileSync(log, 'utf8').trim().split('\n');
    console.log(
      `  ${mode}${freezeWhileHeld ? ', frozen while held' : ''}: exit ${call.code}; stderr: ${call.stderr.trim().slice(0, 400)}`,
    );
    console.log(`  ${mode} --log (${records.length} line): …${records.join(' // ').slice(-240)}`);
    assert.is.not(call.code, 0);
    assert.ok(criuGone, 'CRIU was stopped');
    assert.match(call.stderr, `checkpoint stalled: CRIU made no progress for`);
    assert.match(call.stderr, /last lines of \S+dump\.log: .*post-dump/);
    assert.is(call.stderr.split('\n').filter((l) => l.startsWith('cgherd:')).length, 1);
    assert.is(records.length, 1, 'one record in the --log file');
    const record = JSON.parse(records[0] as string) as { msg: string; level: string };
    assert.is(record.level, 'error');
    assert.match(record.msg, 'checkpoint stalled');
    // crun's own record of the failure, folded into cgherd's (crun writes one to --log).
    assert.match(record.msg, /; lower runtime: .*CRIU checkpointing failed/);
    if (freezeWhileHeld) assert.match(call.stderr, 'and thawed the container');

    assert.is(await lowerStatus(sc, id), 'running');
    assert.equal(frozenWithPrefix(PREFIX), [], 'nothing left frozen');
    const init = await sc.initPid(id);
    const tree = [init, ...descendants(init, readPpidTable())];
    assert.is(tree.length, TREE8_SIZE);
    // Let go by CRIU's ptrace and by the freezer: sleeping, never stopped or traced.
    assert.ok(await until(() => /^[SR]+$/.test(states(tree)), 10_000), `states ${states(tree)}`);
    console.log(`  ${mode}: ${id} running, ${tree.length} processes, states ${states(tree)}`);

    const again = await sc0.checkpoint(id, sc0.path('image2'));
    assert.is(again.code, 0, `checkpoint afterwards: ${again.stderr}`);
  } finally {
    hold.release();
    await sc0.cleanup();
  }
}

for (const mode of MODES) {
  test(`${mode}: a dump held at post-dump is stopped after ${STALL_S} s of no progress; the container runs on`, async () => {
    await stalledCheckpoint(mode, false);
  });

  test(`${mode}: a container cgroup frozen while CRIU is held is thawed`, async () => {
    await stalledCheckpoint(mode, true);
  });
}

function watched(mode: CgroupMode): Scenario {
  const sc = new Scenario(
    mode,
    viaCgherd(RUNTIMES.crun181, 'cgherd over crun 1.8.1', {
      CGHERD_CRIU_STALL_TIMEOUT: String(STALL_S),
    }),
    PREFIX,
  );
  sc.rt.env = { ...sc.rt.env, CGHERD_CRIU_PROBE_CACHE: sc.path('bp.json') };
  return sc;
}

test('v1: a restore held after CRIU restored the tree is stopped and reported too', async () => {
  const sc0 = watched('v1');
  const hold = makeCriuHold(sc0.path('hold'), 'post-restore');
  const sc = sc0.through({ ...sc0.rt, env: { ...sc0.rt.env, CRIU_CONFIG_FILE: hold.config } });
  try {
    const a = `${PREFIX}${serial++}a`;
    const b = `${PREFIX}${serial++}b`;
    assert.is((await sc0.run(a, await sc0.bundle('a', { tree: 'tree8' }))).code, 0);
    await sc0.waitForTree(a, TREE8_SIZE);
    const image = sc0.path('image');
    assert.is((await sc0.checkpoint(a, image)).code, 0);
    const pending = sc.restore(b, await sc.bundle('b', { tree: 'tree8' }), image);
    const criu = criuNear(await hold.reached());
    assert.ok(criu !== undefined);
    const call = await pending;
    const criuGone = await gone(criu);
    hold.release();
    console.log(
      `  v1 restore: exit ${call.code}; ${call.stderr.trim().split('\n').at(-1)?.slice(0, 300)}`,
    );
    assert.is.not(call.code, 0, 'a restore CRIU did not finish is not a success');
    assert.ok(criuGone, 'CRIU was stopped');
    assert.match(call.stderr, 'restore stalled: CRIU made no progress for');
    assert.match(call.stderr, /last lines of \S+restore\.log: /);
    assert.is.not(await lowerStatus(sc0, b), 'running');
    assert.equal(frozenWithPrefix(PREFIX), []);
  } finally {
    hold.release();
    await sc0.cleanup();
  }
});

// Measured first with bare crun 1.8.1: CRIU 4.1.1 thaws a paused container's freezer while
// it seizes the tasks (THAWED at post-dump), so here the test freezes it again while CRIU
// is held, as the pause had it: cgherd, which saw it frozen before the checkpoint, must
// leave it so.
test('v1: a container paused before the checkpoint is not thawed by cgherd after a stall', async () => {
  const sc0 = watched('v1');
  const hold = makeCriuHold(sc0.path('hold'), 'post-dump');
  const sc = sc0.through({ ...sc0.rt, env: { ...sc0.rt.env, CRIU_CONFIG_FILE: hold.config } });
  try {
    const id = `${PREFIX}${serial++}p`;
    assert.is((await sc0.run(id, await sc0.bundle('a', { tree: 'tree8' }))).code, 0);
    await sc0.waitForTree(id, TREE8_SIZE);
    assert.is((await sc0.call(['pause', id])).code, 0);
    assert.is(await lowerStatus(sc0, id), 'paused');
    const pending = sc.checkpoint(id, sc.path('image'));
    const criu = criuNear(await hold.reached());
    assert.ok(criu !== undefined);
    writeFileSync(freezerOf('v1', id), 'FROZEN');
    const call = await pending;
    hold.release();
    assert.ok(await gone(criu), 'CRIU was stopped');
    assert.match(call.stderr, 'checkpoint stalled');
    assert.not.match(call.stderr, 'thawed', 'their pause is theirs to undo');
    assert.is(await lowerStatus(sc0, id), 'paused');
    assert.ok(frozenWithPrefix(PREFIX).length > 0, 'still frozen');
    console.log(`  v1 paused before: left paused after the stall; resume and checkpoint`);
    assert.is((await sc0.call(['resume', id])).code, 0);
    assert.is(await lowerStatus(sc0, id), 'running');
    const again = await sc0.checkpoint(id, sc0.path('image2'));
    assert.is(again.code, 0, again.stderr);
  } finally {
    hold.release();
    await sc0.cleanup();
  }
});

test('v1 control: bare crun 1.8.1 waits as long as CRIU does', async () => {
  const sc0 = new Scenario('v1', bare(RUNTIMES.crun181, 'crun 1.8.1'), PREFIX);
  const hold = makeCriuHold(sc0.path('hold'), 'post-dump');
  const sc = sc0.through({ ...sc0.rt, env: { CRIU_CONFIG_FILE: hold.config } });
  try {
    const id = `${PREFIX}${serial++}ctl`;
    assert.is((await sc.run(id, await sc.bundle('a', { tree: 'tree8' }))).code, 0);
    await sc.waitForTree(id, TREE8_SIZE);
    let returned = false;
    const pending = sc.checkpoint(id, sc.path('image')).then((r) => {
      returned = true;
      return r;
    });
    const criu = criuNear(await hold.reached());
    assert.ok(criu !== undefined);
    // Three stall timeouts: cgherd would have stopped CRIU long before.
    await sleep(3 * STALL_S * 1000);
    assert.not.ok(returned, 'bare crun returned while CRIU was held');
    hold.release();
    const r = await pending;
    console.log(
      `  control: bare crun 1.8.1 still waiting after ${3 * STALL_S} s; released, exit ${r.code}`,
    );
    assert.is(r.code, 0, r.stderr);
  } finally {
    hold.release();
    await sc0.cleanup();
  }
});

test.run();
