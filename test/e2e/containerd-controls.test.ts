// The controls for containerd-fix, through the same private containerd 1.6.20 and ctr
// steps (ctd-cycle.ts), v1 and v2:
// - crun 1.8.1 and crun 1.21 alone fail the first checkpoint: the shim names a work
//   directory that runc makes and crun does not (engine-compat.ts, row 1).
// - cgherd over crun 1.8.1 with only the engine rows (herd off, no restore cgroup root):
//   as ctr restores (same cgroupsPath) it passes, since the bug has no new cgroup to miss;
//   as Kubernetes restores (own cgroup) the restored tree is left 7 of 8 in the old cgroup
//   and the next checkpoint fails (`Unseizable`). That is what the herd fixes.
// - runc 1.1.5 (bookworm): passes as ctr restores, on v1 and v2, the reference that shows
//   the bed is sound. As Kubernetes restores it passes on v1; on v2 it restores the tree
//   into the original's cgroup and the next checkpoint fails: measured, asserted as such.

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { MODES } from '../lib/bed/bed.js';
import { TREE8_SIZE } from '../lib/scenario/bundle.js';
import { withSessionBed } from '../lib/containerd/ctd-session.js';
import { ctdCycle, type CtdCycleResult, type CtdVariant } from '../lib/containerd/ctd-cycle.js';
import { CTD_RUNTIMES, cycleSummary, rowsOnly181 } from '../lib/containerd/ctd-runtimes.js';
import type { CtdRuntime } from '../lib/containerd/ctd-wrapper.js';
import type { ContainerdBed } from '../lib/containerd/containerd.js';

const ROUNDS = 3;
const test = suite('containerd: controls');
let serial = 0;

async function cycle(
  bed: ContainerdBed,
  rt: CtdRuntime,
  variant: CtdVariant,
): Promise<CtdCycleResult> {
  const bin = bed.runtimeBinary(rt, { ownCgroup: variant === 'own-cgroup' });
  const result = await ctdCycle(bed, bin, { variant, rounds: ROUNDS, idBase: `ctl${serial++}-` });
  console.log(
    `  RESULT containerd | ${rt.label} | ${bed.mode} | ${variant} | ${cycleSummary(result, ROUNDS)}`,
  );
  return result;
}

for (const mode of MODES) {
  test(`${mode}: bare crun 1.8.1 and 1.21 fail the first checkpoint (no CRIU work dir)`, async () => {
    await withSessionBed(mode, 'ctl', async (bed) => {
      for (const rt of [CTD_RUNTIMES.crun181, CTD_RUNTIMES.crun121]) {
        for (const variant of ['same-cgroup', 'own-cgroup'] as const) {
          const r = await cycle(bed, rt, variant);
          assert.not.ok(r.passed, `${rt.label} passed: the control proves nothing`);
          const [run, ckpt] = r.steps;
          assert.is(run?.code, 0, `${rt.label}: run: ${run?.error ?? ''}`);
          assert.is(ckpt?.kind, 'checkpoint');
          assert.is.not(ckpt?.code, 0);
          assert.match(ckpt?.error ?? '', /error opening CRIU work directory .*criu-work/);
          assert.is(r.steps.length, 2, 'nothing after the failed checkpoint');
        }
      }
    });
  });

  test(`${mode}: cgherd rows only: same cgroupsPath passes, own cgroup fails (Unseizable)`, async () => {
    await withSessionBed(mode, 'ctl', async (bed) => {
      const rt = rowsOnly181(bed);
      const same = await cycle(bed, rt, 'same-cgroup');
      assert.ok(same.passed, cycleSummary(same, ROUNDS));

      const own = await cycle(bed, rt, 'own-cgroup');
      assert.not.ok(own.passed, 'rows only passed in own cgroups: the herd proves nothing');
      const restore = own.steps.find((s) => s.kind === 'restore');
      assert.is(restore?.code, 0, `restore: ${restore?.error ?? 'missing'}`);
      assert.is(restore?.members, TREE8_SIZE);
      assert.is(restore?.strays, TREE8_SIZE - 1, 'all but the init left in the old cgroup');
      const last = own.steps.at(-1);
      assert.is(last?.kind, 'checkpoint');
      assert.is(last?.id, restore?.id, 'the checkpoint right after the restore fails');
      assert.is.not(last?.code, 0);
      assert.match(last?.error ?? '', /Unseizable non-zombie/);
    });
  });

  test(`${mode}: runc 1.1.5 (bookworm) as measured`, async () => {
    await withSessionBed(mode, 'ctl', async (bed) => {
      const same = await cycle(bed, CTD_RUNTIMES.runc, 'same-cgroup');
      assert.ok(same.passed, cycleSummary(same, ROUNDS));
      const own = await cycle(bed, CTD_RUNTIMES.runc, 'own-cgroup');
      if (mode === 'v1') {
        assert.ok(own.passed, cycleSummary(own, ROUNDS));
        return;
      }
      // Measured on v2: runc 1.1.5 restores the whole tree, init included, into the
      // cgroup recorded in the image, and its next checkpoint freezes the new, empty one.
      const restore = own.steps.find((s) => s.kind === 'restore');
      assert.is(restore?.strays, 0);
      assert.is(restore?.initCgroup, bed.cgroupOf(`${restore?.id.slice(0, -1) ?? ''}0`));
      assert.match(own.steps.at(-1)?.error ?? '', /Unseizable non-zombie/);
    });
  });
}

test.run();
