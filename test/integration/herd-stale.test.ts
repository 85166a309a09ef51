// The stale cgroup: a restore under a new id by crun 1.8.1 without the restore root makes
// CRIU re-create the dumped container's cgroup (/<old id>) in every hierarchy and put the
// tree there. After the herd empties it, cgherd removes it, because it did not exist
// before the restore. Checked right after the restore returns, before any cleanup runs.
// Control: bare crun 1.8.1 leaves it. And a cgroup that existed before (the original of a
// clone, still running) is kept, with its processes.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MODES, RUNTIMES, type CgroupMode } from '../lib/bed/bed.js';
import { TREE8_SIZE } from '../lib/scenario/bundle.js';
import { pathHasSegment } from '../lib/cgroups/cgroups.js';
import { cleanupPrefix } from '../lib/bed/cleanup.js';
import { cgroupsWhere } from '../lib/scenario/load.js';
import { Scenario, bare, viaCgherd, type RuntimeUnderTest } from '../lib/scenario/scenario.js';

const PREFIX = 'cgt-herd-stale-';

test.after(async () => {
  await cleanupPrefix(PREFIX);
});

let serial = 0;
const named = (id: string): string[] => cgroupsWhere((rel) => pathHasSegment(rel, id));

/** run A -> checkpoint A (--leave-running for a clone) -> restore as B. Returns the
 *  cgroups named A before and after the restore, and B's placement. */
async function restoreAsNew(
  mode: CgroupMode,
  rt: RuntimeUnderTest,
  clone: boolean,
): Promise<{ before: string[]; after: string[]; strays: number; original?: number }> {
  const sc = new Scenario(mode, rt, PREFIX);
  const n = serial++;
  const a = `${PREFIX}${n}a`;
  const b = `${PREFIX}${n}b`;
  try {
    assert.is((await sc.run(a, await sc.bundle('a', { tree: 'tree8' }))).code, 0);
    await sc.waitForTree(a, TREE8_SIZE);
    const image = sc.path('image');
    const dump = await sc.checkpoint(a, image, { leaveRunning: clone });
    assert.is(dump.code, 0, dump.stderr);
    const before = named(a);
    const restore = await sc.restore(b, await sc.bundle('b', { tree: 'tree8' }), image);
    assert.is(restore.code, 0, restore.stderr);
    const after = named(a);
    const placement = await sc.waitForTree(b, TREE8_SIZE);
    const original = clone ? (await sc.placement(a)).members.length : undefined;
    console.log(
      `  ${mode} ${rt.label}${clone ? ', clone' : ''}: cgroups named ${a}: ` +
        `${before.length} before the restore, ${after.length} after; strays ${placement.strays.length}`,
    );
    return { before, after, strays: placement.strays.length, original };
  } finally {
    await sc.cleanup();
  }
}

const herdOnly = viaCgherd(RUNTIMES.crun181, 'cgherd (herd only) over crun 1.8.1', {
  CGHERD_RESTORE_CGROUP_ROOT: 'never',
});

for (const mode of MODES) {
  test(`${mode}: control, bare crun 1.8.1: CRIU re-creates the dumped cgroup and leaves it`, async () => {
    const r = await restoreAsNew(mode, bare(RUNTIMES.crun181, 'crun 1.8.1'), false);
    assert.equal(r.before, [], 'the checkpoint removed the cgroup of the dumped container');
    assert.ok(r.after.length > 0, 'CRIU re-created it, or this file proves nothing');
    assert.ok(r.strays > 0);
  });

  test(`${mode}: through cgherd (herd only), the re-created cgroup is gone when restore returns`, async () => {
    const r = await restoreAsNew(mode, herdOnly, false);
    assert.equal(r.before, []);
    assert.equal(r.after, [], 'stale cgroups left');
    assert.is(r.strays, 0);
  });

  test(`${mode}: through cgherd (herd only), a clone's original keeps its cgroup and processes`, async () => {
    const r = await restoreAsNew(mode, herdOnly, true);
    assert.ok(r.before.length > 0);
    assert.equal(r.after, r.before, "the original's cgroups");
    assert.is(r.original, TREE8_SIZE, "the original's processes");
    assert.is(r.strays, 0);
  });
}

test.run();
