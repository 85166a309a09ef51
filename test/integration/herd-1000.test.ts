// A real herd of 1,000 processes, crun 1.8.1, v1 and v2: a container whose init has 999
// children is restored under a new id by bare crun 1.8.1 (999 strays: the control), then
// checkpointed through cgherd (the herd before the checkpoint moves the 999, or CRIU
// could not freeze them) and restored through cgherd with the herd alone (the herd after
// the restore moves them again). All 1,000 end in the init's cgroup.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MODES, RUNTIMES, type CgroupMode } from '../lib/bed/bed.js';
import { bigTreeBundle } from '../lib/scenario/big-tree.js';
import { cleanupPrefix } from '../lib/bed/cleanup.js';
import { Scenario, bare, viaCgherd } from '../lib/scenario/scenario.js';

const PREFIX = 'cgt-herd-1000-';
const SIZE = 1000;
test.after(async () => {
  await cleanupPrefix(PREFIX);
});

async function thousand(mode: CgroupMode): Promise<void> {
  const sc = new Scenario(mode, bare(RUNTIMES.crun181, 'crun 1.8.1'), PREFIX);
  sc.timeoutMs = 300_000;
  const through = sc.through(
    viaCgherd(RUNTIMES.crun181, 'cgherd (herd only) over crun 1.8.1', {
      CGHERD_RESTORE_CGROUP_ROOT: 'never',
    }),
  );
  try {
    const [a, b, c] = ['a', 'b', 'c'].map((s) => `${PREFIX}${mode}${s}`) as [
      string,
      string,
      string,
    ];
    const run = await sc.run(a, await bigTreeBundle(sc, 'a', SIZE));
    assert.is(run.code, 0, `run: ${run.stderr}`);
    await sc.waitForTree(a, SIZE, 60_000);
    const first = await sc.checkpoint(a, sc.path('img1'));
    assert.is(first.code, 0, `bare checkpoint: ${first.stderr}`);
    const bareRestore = await sc.restore(b, await bigTreeBundle(sc, 'b', SIZE), sc.path('img1'));
    assert.is(bareRestore.code, 0, `bare restore: ${bareRestore.stderr}`);
    const broken = await sc.waitForTree(b, SIZE, 60_000);
    assert.is(broken.strays.length, SIZE - 1, 'control: bare crun 1.8.1 leaves 999 strays');

    let started = Date.now();
    const dump = await through.checkpoint(b, sc.path('img2'));
    const dumpMs = Date.now() - started;
    assert.is(dump.code, 0, `checkpoint through cgherd: ${dump.stderr}`);
    started = Date.now();
    const restore = await through.restore(c, await bigTreeBundle(sc, 'c', SIZE), sc.path('img2'));
    const restoreMs = Date.now() - started;
    assert.is(restore.code, 0, `restore through cgherd: ${restore.stderr}`);
    assert.is(restore.stderr, '', 'no warning: the herd converged');
    const after = await sc.placement(c);
    console.log(
      `  ${mode}: ${broken.strays.length} strays healed by the checkpoint (${dumpMs} ms); ` +
        `after the herd-only restore (${restoreMs} ms): ${after.members.length} members, ` +
        `${after.strays.length} strays, ${after.outside?.length} outside ${after.cgroup}`,
    );
    assert.is(after.members.length, SIZE);
    assert.equal(after.strays, []);
    assert.equal(after.outside, []);
  } finally {
    await sc.cleanup();
  }
}

for (const mode of MODES) {
  test(`${mode}: 1,000 processes end in the init's cgroup`, () => thousand(mode));
}

test.run();
