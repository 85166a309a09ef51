// containerd 1.6.20 with cgherd over crun 1.8.1 as its runc binary (`ctr run
// --runc-binary`, the shim's BinaryName), v1 and v2: three rounds of checkpoint -> restore
// under a new id -> checkpoint pass, both as ctr restores (the original's cgroupsPath) and
// as Kubernetes restores (the new id's own cgroup). Every restored tree has its 8
// processes in the new container's cgroup. The controls are in containerd-controls.
// ctd-cycle.ts has the steps.

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { MODES } from '../lib/bed/bed.js';
import { TREE8_SIZE } from '../lib/scenario/bundle.js';
import { withSessionBed } from '../lib/containerd/ctd-session.js';
import { ctdCycle, type CtdVariant } from '../lib/containerd/ctd-cycle.js';
import { CTD_RUNTIMES, cycleSummary } from '../lib/containerd/ctd-runtimes.js';

const ROUNDS = 3;
const VARIANTS: readonly CtdVariant[] = ['same-cgroup', 'own-cgroup'];
const test = suite('containerd: cgherd over crun 1.8.1');

for (const mode of MODES) {
  for (const variant of VARIANTS) {
    test(`${mode}, ${variant}: ${ROUNDS} rounds through ctr pass`, async () => {
      await withSessionBed(mode, 'fix', async (bed) => {
        const rt = CTD_RUNTIMES.cgherd181;
        const bin = bed.runtimeBinary(rt, { ownCgroup: variant === 'own-cgroup' });
        const result = await ctdCycle(bed, bin, { variant, rounds: ROUNDS, idBase: 'fix' });
        console.log(
          `  RESULT containerd | ${rt.label} | ${mode} | ${variant} | ${cycleSummary(result, ROUNDS)}`,
        );
        assert.ok(result.passed, cycleSummary(result, ROUNDS));
        const restores = result.steps.filter((s) => s.kind === 'restore');
        const checkpoints = result.steps.filter((s) => s.kind === 'checkpoint' && s.code === 0);
        assert.is(restores.length, ROUNDS);
        assert.is(checkpoints.length, ROUNDS + 1);
        for (const r of restores) {
          assert.is(r.members, TREE8_SIZE, `${r.id}: tree size`);
          assert.is(r.strays, 0, `${r.id}: strays`);
          assert.is(r.initCgroup, r.expectedCgroup, `${r.id}: init's cgroup`);
          if (variant === 'own-cgroup') assert.is(r.expectedCgroup, bed.cgroupOf(r.id));
        }
      });
    });
  }
}

test.run();
