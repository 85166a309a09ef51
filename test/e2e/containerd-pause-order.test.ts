// The herd in containerd's order, through cgherd's runtime face, v1 (freezer) and v2
// (cgroup.freeze): containerd's shim runs `pause`, then `checkpoint --leave-running` with
// a work directory that does not exist yet, then `resume`. So the herd before the
// checkpoint meets a frozen container cgroup: the strays it moves in freeze with it, CRIU
// dumps the whole tree, and `resume` thaws all of it.
// The container: restored under a new id by bare crun 1.8.1, 7 of its 8 processes left
// in the old cgroup (the bug). Control: the same steps on bare crun 1.8.1 fail the
// checkpoint (`Unseizable`), and resume still thaws the container.

import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  CGHERD_BIN,
  MODES,
  RUNTIMES,
  inMode,
  type CgroupMode,
  type RunResult,
} from '../lib/bed/bed.js';
import { TREE8_SIZE } from '../lib/scenario/bundle.js';
import { brokenRestore as brokenRestoreOf } from '../lib/cgroups/broken-restore.js';
import { cleanupPrefix } from '../lib/bed/cleanup.js';
import { checkpointArgv } from '../lib/scenario/cr-argv.js';
import { Scenario, bare } from '../lib/scenario/scenario.js';

const PREFIX = 'cgt-ctd-order-';

test.after(async () => {
  await cleanupPrefix(PREFIX);
});

/** A container restored under a new id by bare crun 1.8.1: the broken placement. */
async function brokenRestore(sc: Scenario): Promise<string> {
  const { id, placement } = await brokenRestoreOf(sc, { deleteOriginal: true });
  assert.is(placement.strays.length, TREE8_SIZE - 1, 'bare crun 1.8.1 leaves 7 strays');
  return id;
}

function frozen(mode: CgroupMode, cgroup: string): boolean {
  if (mode === 'v1') {
    const state = readFileSync(`/sys/fs/cgroup/freezer${cgroup}/freezer.state`, 'utf8');
    return !state.includes('THAWED');
  }
  return readFileSync(`/sys/fs/cgroup/unified${cgroup}/cgroup.freeze`, 'utf8').trim() === '1';
}

/** A process's state letter from /proc/PID/stat (D: frozen on v1; S: sleeping). */
function procState(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
}

/** pause -> checkpoint --leave-running (work dir missing) -> resume, as containerd's shim. */
async function shimOrder(
  sc: Scenario,
  call: (args: string[]) => Promise<RunResult>,
  id: string,
  tag: string,
): Promise<{
  pause: RunResult;
  checkpoint: RunResult;
  resume: RunResult;
  frozenAtCheckpoint: boolean;
}> {
  const image = sc.path(`dump-${tag}`);
  const work = sc.path(`work-${tag}`);
  mkdirSync(image);
  const cgroup = (await sc.placement(id)).cgroup ?? `/${id}`;
  const pause = await call(['--root', sc.root, 'pause', id]);
  const frozenAtCheckpoint = frozen(sc.mode, cgroup);
  const checkpoint = await call(['--root', sc.root, ...checkpointArgv(id, image, work, true)]);
  const resume = await call(['--root', sc.root, 'resume', id]);
  return { pause, checkpoint, resume, frozenAtCheckpoint };
}

for (const mode of MODES) {
  test(`${mode}: pause, checkpoint, resume: bare crun 1.8.1 fails, cgherd herds into the frozen cgroup`, async () => {
    const sc = new Scenario(mode, bare(RUNTIMES.crun181, 'crun 1.8.1'), PREFIX);
    try {
      const viaCrun = (args: string[]): Promise<RunResult> =>
        inMode(mode, RUNTIMES.crun181, args, { timeoutMs: 60_000 });
      const viaCgherd = (args: string[]): Promise<RunResult> =>
        inMode(mode, CGHERD_BIN, args, {
          env: { CGHERD_RUNTIME: RUNTIMES.crun181 },
          timeoutMs: 60_000,
        });

      const control = await brokenRestore(sc);
      const bad = await shimOrder(sc, viaCrun, control, 'control');
      assert.is(bad.pause.code, 0, bad.pause.stderr);
      assert.ok(bad.frozenAtCheckpoint, 'control: paused');
      assert.is.not(bad.checkpoint.code, 0, 'control: bare crun 1.8.1 must fail');
      // Bare crun 1.8.1 does not create the work directory: it fails before CRIU runs.
      assert.match(bad.checkpoint.stderr, /CRIU work directory/);
      mkdirSync(sc.path('work-control2'));
      mkdirSync(sc.path('dump-control2'));
      const bare2 = await viaCrun([
        '--root',
        sc.root,
        ...checkpointArgv(control, sc.path('dump-control2'), sc.path('work-control2'), true),
      ]);
      assert.is.not(bare2.code, 0, 'control with a work dir: must still fail');
      assert.match(
        readFileSync(sc.path('work-control2/dump.log'), 'utf8'),
        /Unseizable non-zombie/,
      );
      assert.is((await viaCrun(['--root', sc.root, 'resume', control])).code, 0);

      const fixed = await brokenRestore(sc);
      const good = await shimOrder(sc, viaCgherd, fixed, 'fixed');
      console.log(
        `  ${mode}: bare checkpoint exit ${bare2.code}; through cgherd: pause ${good.pause.code}, ` +
          `checkpoint ${good.checkpoint.code}, resume ${good.resume.code}`,
      );
      assert.is(good.pause.code, 0, good.pause.stderr);
      assert.ok(good.frozenAtCheckpoint, 'the container cgroup was frozen when checkpoint ran');
      assert.is(good.checkpoint.code, 0, `checkpoint through cgherd: ${good.checkpoint.stderr}`);
      assert.ok(existsSync(sc.path('work-fixed/dump.log')), 'work dir created, CRIU logged there');
      assert.is(good.resume.code, 0, good.resume.stderr);
      const after = await sc.placement(fixed);
      assert.is(after.members.length, TREE8_SIZE);
      assert.equal(after.strays, [], 'herded');
      assert.equal(after.outside, [], 'all in the container cgroup');
      assert.not.ok(frozen(mode, after.cgroup ?? `/${fixed}`), 'thawed by resume');
      for (const pid of after.members) assert.is.not(procState(pid), 'D', `${pid} still frozen`);
    } finally {
      await sc.cleanup();
    }
  });
}

test.run();
