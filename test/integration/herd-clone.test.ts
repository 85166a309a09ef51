// Clone isolation, crun 1.8.1, v1 and v2: checkpoint --leave-running, restore a copy under
// a new id, then `kill --all` the original. Through cgherd every process of the copy
// survives; with bare crun 1.8.1 (the control) the copy loses the ones that were restored
// into the original's cgroup.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MODES, RUNTIMES, type CgroupMode } from '../lib/bed/bed.js';
import { TREE8_SIZE } from '../lib/scenario/bundle.js';
import { readCgroups } from '../lib/cgroups/cgroups.js';
import { cleanupPrefix } from '../lib/bed/cleanup.js';
import { living, untilAsync } from '../lib/bed/poll.js';
import {
  Scenario,
  bare,
  readPpidTable,
  viaCgherd,
  type RuntimeUnderTest,
} from '../lib/scenario/scenario.js';

const PREFIX = 'cgt-herd-clone-';

test.after(async () => {
  await cleanupPrefix(PREFIX);
});

let serial = 0;

/** Living processes on the host that sit in `cgroup` in some hierarchy of `mode`. */
function livingIn(cgroup: string, mode: CgroupMode): number[] {
  return [...readPpidTable().keys()].filter(
    (pid) => living(pid) && [...(readCgroups(pid, mode)?.values() ?? [])].includes(cgroup),
  );
}

/** The clone's tree size after the original was killed with --all. */
async function cloneSurvivors(mode: CgroupMode, rt: RuntimeUnderTest): Promise<number> {
  const sc = new Scenario(mode, rt, PREFIX);
  const n = serial++;
  const original = `${PREFIX}${n}orig`;
  const clone = `${PREFIX}${n}copy`;
  try {
    const run = await sc.run(original, await sc.bundle('orig', { tree: 'tree8' }));
    assert.is(run.code, 0, run.stderr);
    await sc.waitForTree(original, TREE8_SIZE);
    const image = sc.path('image');
    const dump = await sc.checkpoint(original, image, { leaveRunning: true });
    assert.is(dump.code, 0, `checkpoint --leave-running: ${dump.stderr}`);
    const restore = await sc.restore(clone, await sc.bundle('copy', { tree: 'tree8' }), image);
    assert.is(restore.code, 0, `restore of the clone: ${restore.stderr}`);
    const before = await sc.waitForTree(clone, TREE8_SIZE);
    // The herd never touched the original: same tree, all still in its own cgroup.
    const orig = await sc.placement(original);
    assert.is(orig.members.length, TREE8_SIZE, 'the original lost processes');
    assert.equal(orig.outside ?? [], [], "the original's processes were moved");
    assert.ok(orig.cgroup !== undefined, "crun records the original's cgroup");
    const cgroup = orig.cgroup as string;
    const kill = await sc.kill(original, 'KILL', true);
    assert.is(kill.code, 0, `kill --all: ${kill.stderr}`);
    // Every process the kill reached has exited: nothing lives in the original's cgroup
    // any more. Counting earlier would let a slow kill pass for a clone that survived.
    const emptied = await untilAsync(async () => livingIn(cgroup, mode).length === 0, 10_000);
    assert.ok(emptied, `still alive in ${cgroup}: ${livingIn(cgroup, mode).join(' ')}`);
    const alive = before.members.filter(living).length;
    console.log(
      `  ${mode} ${rt.label}: clone keeps ${alive}/${before.members.length} after kill --all of the original`,
    );
    return alive;
  } finally {
    await sc.cleanup();
  }
}

for (const mode of MODES) {
  test(`${mode}: control, bare crun 1.8.1: the clone loses processes`, async () => {
    const alive = await cloneSurvivors(mode, bare(RUNTIMES.crun181, 'crun 1.8.1'));
    assert.ok(alive < TREE8_SIZE, 'the control must lose processes, or this test proves nothing');
  });

  test(`${mode}: through cgherd, every process of the clone survives`, async () => {
    const alive = await cloneSurvivors(mode, viaCgherd(RUNTIMES.crun181, 'cgherd over crun 1.8.1'));
    assert.is(alive, TREE8_SIZE);
  });

  test(`${mode}: through cgherd, the herd alone (no restore root): the clone survives`, async () => {
    const rt = viaCgherd(RUNTIMES.crun181, 'cgherd (herd only) over crun 1.8.1', {
      CGHERD_RESTORE_CGROUP_ROOT: 'never',
    });
    assert.is(await cloneSurvivors(mode, rt), TREE8_SIZE);
  });
}

test.run();
