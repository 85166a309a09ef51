// The Java daemon through containerd 1.6.20 and ctr, v1 and v2, as Kubernetes restores
// (the new id's own cgroup): `sh` double-forks a `setsid` JVM (the host's /usr bind-mounted
// read-only), the JVM starts a child through ProcessBuilder. Image: ctd-java.ts.
// - cgherd over crun 1.8.1: 2 rounds of checkpoint -> restore under a new id -> checkpoint
//   pass, and every restored tree has its 4 processes in the new id's cgroup.
// - Control, cgherd over crun 1.8.1 with only the engine rows (herd off): the restore
//   leaves 3 of 4 processes in the old cgroup and the next checkpoint fails (Unseizable).
// - Control, bare crun 1.8.1: the first checkpoint fails (no CRIU work directory), as
//   containerd-controls measures with busybox.

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { MODES } from '../lib/bed/bed.js';
import { withSessionBed } from '../lib/containerd/ctd-session.js';
import { ctdCycle, type CtdCycleResult, type CtdStep } from '../lib/containerd/ctd-cycle.js';
import { importJavaImage, JAVA_TREE_SIZE, javaWorkload } from '../lib/containerd/ctd-java.js';
import { CTD_RUNTIMES, cycleSummary, rowsOnly181 } from '../lib/containerd/ctd-runtimes.js';
import type { CtdRuntime } from '../lib/containerd/ctd-wrapper.js';
import type { ContainerdBed } from '../lib/containerd/containerd.js';

const ROUNDS = 2;
const test = suite('containerd: the Java daemon');

async function cycle(bed: ContainerdBed, rt: CtdRuntime, idBase: string): Promise<CtdCycleResult> {
  const bin = bed.runtimeBinary(rt, { ownCgroup: true });
  const result = await ctdCycle(bed, bin, {
    variant: 'own-cgroup',
    rounds: ROUNDS,
    idBase,
    workload: javaWorkload(),
  });
  console.log(
    `  RESULT containerd java | ${rt.label} | ${bed.mode} | own-cgroup | ${cycleSummary(result, ROUNDS)}`,
  );
  for (const s of result.steps) console.log(`    ${describeStep(s)}`);
  return result;
}

function describeStep(s: CtdStep): string {
  const tree =
    s.members === undefined
      ? ''
      : ` tree ${s.members} [${(s.comms ?? []).join(' ')}] strays ${String(s.strays)} init in ${String(s.initCgroup)}, whole ${String(s.waitedMs)} ms later`;
  return `${s.kind} ${s.id}: exit ${s.code} in ${s.ms} ms${tree}${s.error ? ` | ${s.error}` : ''}`;
}

const hasJava = (s: CtdStep | undefined): boolean =>
  (s?.comms ?? []).filter((c) => c === 'java').length === 1;

for (const mode of MODES) {
  test(`${mode}: cgherd over crun 1.8.1, ${ROUNDS} rounds in the new id's cgroup pass`, async () => {
    await withSessionBed(mode, 'jfix', async (bed) => {
      await importJavaImage(bed);
      const r = await cycle(bed, CTD_RUNTIMES.cgherd181, 'jfix');
      assert.ok(r.passed, cycleSummary(r, ROUNDS));
      const run = r.steps[0];
      assert.is(run?.members, JAVA_TREE_SIZE, 'run: tree size');
      assert.ok(hasJava(run), `run: no JVM in ${String(run?.comms)}`);
      const restores = r.steps.filter((s) => s.kind === 'restore');
      const checkpoints = r.steps.filter((s) => s.kind === 'checkpoint' && s.code === 0);
      assert.is(restores.length, ROUNDS);
      assert.is(checkpoints.length, ROUNDS + 1);
      for (const s of restores) {
        assert.is(s.members, JAVA_TREE_SIZE, `${s.id}: tree size`);
        assert.ok(hasJava(s), `${s.id}: no JVM in ${String(s.comms)}`);
        assert.is(s.strays, 0, `${s.id}: strays`);
        assert.is(s.initCgroup, bed.cgroupOf(s.id), `${s.id}: init's cgroup`);
      }
    });
  });

  test(`${mode}: controls: herd off leaves strays (Unseizable); bare crun 1.8.1 has no work dir`, async () => {
    await withSessionBed(mode, 'jctl', async (bed) => {
      await importJavaImage(bed);
      const rows = await cycle(bed, rowsOnly181(bed), 'jrow');
      assert.not.ok(rows.passed, 'herd off passed: the fix proves nothing');
      const restore = rows.steps.find((s) => s.kind === 'restore');
      assert.is(restore?.code, 0, `restore: ${restore?.error ?? 'missing'}`);
      assert.is(restore?.members, JAVA_TREE_SIZE);
      assert.ok(hasJava(restore), `no JVM in ${String(restore?.comms)}`);
      assert.is(restore?.strays, JAVA_TREE_SIZE - 1, 'all but the init left in the old cgroup');
      const last = rows.steps.at(-1);
      assert.is(last?.kind, 'checkpoint');
      assert.is(last?.id, restore?.id, 'the checkpoint right after the restore fails');
      assert.match(last?.error ?? '', /Unseizable non-zombie/);

      const bare = await cycle(bed, CTD_RUNTIMES.crun181, 'jbare');
      assert.not.ok(bare.passed, 'bare crun 1.8.1 passed: the control proves nothing');
      const [run, ckpt] = bare.steps;
      assert.is(run?.code, 0, `run: ${run?.error ?? ''}`);
      assert.ok(hasJava(run), `run: no JVM in ${String(run?.comms)}`);
      assert.is(ckpt?.kind, 'checkpoint');
      assert.match(ckpt?.error ?? '', /error opening CRIU work directory .*criu-work/);
      assert.is(bare.steps.length, 2, 'nothing after the failed checkpoint');
    });
  });
}

test.run();
