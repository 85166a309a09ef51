// The container's cgroup removed while cgherd herds into it (best effort: the herd of a
// 1,000-process tree takes tens of milliseconds, so the test watches the init's cgroup and
// strikes as soon as the first stray arrives: kills what is in it and removes it in every
// hierarchy, as an operator or a cgroup manager tearing the container down would).
// Strays come from a bare crun 1.8.1 restore under a new id; the herd runs before a
// checkpoint through cgherd. cgherd must end with one clear error, never crash, never
// re-create the cgroup, never touch a bystander, and leave nothing frozen.

import { existsSync, readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MODES, RUNTIMES, type CgroupMode, type RunResult } from '../lib/bed/bed.js';
import { bigTreeBundle } from '../lib/scenario/big-tree.js';
import { pathHasSegment, readCgroups, removeCgroupsWhere } from '../lib/cgroups/cgroups.js';
import { cleanupPrefix } from '../lib/bed/cleanup.js';
import {
  assertBystandersUntouched,
  frozenWithPrefix,
  startBystanders,
  stopBystanders,
} from '../lib/scenario/fault.js';
import { cgroupsWhere } from '../lib/scenario/load.js';
import { Scenario, bare, viaCgherd } from '../lib/scenario/scenario.js';

const PREFIX = 'cgt-fault-rmcg-';
const SIZE = 1000;
const WATCH: Record<CgroupMode, { mount: string; key: string }> = {
  v1: { mount: '/sys/fs/cgroup/freezer', key: 'freezer' },
  v2: { mount: '/sys/fs/cgroup/unified', key: 'unified' },
};

test.after(async () => {
  await cleanupPrefix(PREFIX);
});

function count(procs: string): number {
  try {
    return readFileSync(procs, 'utf8').split('\n').filter(Boolean).length;
  } catch {
    return -1;
  }
}

for (const mode of MODES) {
  test(`${mode}: cgroup removed mid-herd: one clear error, not re-created, bystanders untouched`, async () => {
    const sc = new Scenario(mode, bare(RUNTIMES.crun181, 'crun 1.8.1'), PREFIX);
    sc.timeoutMs = 300_000;
    const bystanders = await startBystanders(sc, `${PREFIX}${mode}by`);
    try {
      const a = `${PREFIX}${mode}a`;
      const b = `${PREFIX}${mode}b`;
      assert.is((await sc.run(a, await bigTreeBundle(sc, 'a', SIZE))).code, 0);
      await sc.waitForTree(a, SIZE, 60_000);
      assert.is((await sc.checkpoint(a, sc.path('img1'))).code, 0);
      assert.is((await sc.restore(b, await bigTreeBundle(sc, 'b', SIZE), sc.path('img1'))).code, 0);
      const before = await sc.waitForTree(b, SIZE, 60_000);
      assert.is(before.strays.length, SIZE - 1, 'control: bare crun 1.8.1 leaves 999 strays');
      const cgroup = readCgroups(before.init, mode)?.get(WATCH[mode].key) ?? '';
      const procs = `${WATCH[mode].mount}${cgroup}/cgroup.procs`;
      assert.is(count(procs), 1, 'only the init in its cgroup before the herd');

      const through = sc.through(viaCgherd(RUNTIMES.crun181, 'cgherd over crun 1.8.1'));
      let done = false;
      const call: Promise<RunResult> = through.checkpoint(b, sc.path('img2')).finally(() => {
        done = true;
      });
      // Watch for the herd's first move, then strike.
      let seen = 1;
      while (!done && seen <= 1) {
        seen = count(procs);
        await new Promise((r) => setImmediate(r));
      }
      const struckMidCall = !done;
      const removed = done
        ? []
        : await removeCgroupsWhere((rel) => pathHasSegment(rel, b)).catch((e: Error) => [
            e.message,
          ]);
      const r = await call;
      const recreated = cgroupsWhere((rel) => pathHasSegment(rel, b));
      console.log(
        `  ${mode}: struck when ${seen} processes were in ${cgroup} ` +
          `(${struckMidCall ? 'during the call' : 'the call had ended: nothing measured'}), ` +
          `removed ${removed.length} cgroups; cgherd exit ${r.code} "${r.stderr.trim().slice(0, 240)}"; ` +
          `cgroups named ${b} afterwards: ${recreated.length}`,
      );
      assert.ok(struckMidCall, 'the herd ended before the strike: nothing was tested');
      assert.not.match(r.stderr, 'internal error');
      assert.is.not(r.code, 0, 'a checkpoint of a container torn down mid-way cannot pass');
      assert.is(r.stderr.trim().split('\n').length, 1, 'one error record');
      assert.equal(recreated, [], 'cgherd re-created the removed cgroup');
      assert.equal(frozenWithPrefix(PREFIX), [], 'nothing frozen');
      assertBystandersUntouched(bystanders);
      assert.ok(!existsSync(procs));
    } finally {
      stopBystanders(bystanders);
      await sc.cleanup();
    }
  });
}

test.run();
