// The containerd cycle the tests and the bench share: run a tree8 container through ctr,
// then `rounds` times: checkpoint it (`ctr c checkpoint --task --rw --image`: the shim
// runs pause, checkpoint --leave-running, resume), remove it, restore the image under a new
// id (`ctr c restore --live --rw`), remove the consumed image; and a last checkpoint.
// Each restored tree is checked: 8 processes, all in the init's cgroups, the init in the
// cgroup the variant expects. The cycle goes on past a misplaced tree (the next checkpoint
// is where the bug bites) and stops at the first failed ctr call; the result names the
// first problem. Its containers are removed at the end.
//
// Variant 'same-cgroup' is what ctr does: the restored container keeps the original's
// spec, cgroupsPath included. Variant 'own-cgroup' is what a Kubernetes restore does: the
// new id gets its own cgroup (the wrapper rewrites cgroupsPath, see ctd-spec-edit.ts).
//
// containerd 1.6.20 loses the task part of a second checkpoint of a restored container
// while the first checkpoint image is still in its content store (facts.md), so each
// image is removed (`ctr image rm --sync`) once restored.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { processArgs, TREE8_SIZE } from '../scenario/bundle.js';
import { differingHierarchies, readCgroups, UNIFIED } from '../cgroups/cgroups.js';
import { CTD_IMAGE, type ContainerdBed } from './containerd.js';
import { processTree, type ProcInfo } from '../podman/podman-procs.js';
import { descendants, readPpidTable } from '../scenario/scenario.js';

export type CtdVariant = 'same-cgroup' | 'own-cgroup';

/** What the cycle runs: the busybox tree8 unless a test names another (the Java daemon). */
export interface CtdWorkload {
  image: string;
  /** `ctr run` flags before the image (`--mount …`). */
  runFlags: readonly string[];
  args: readonly string[];
  /** Processes in the whole tree once it runs. */
  size: number;
  /** How long run and restore may take to show the whole tree. */
  settleMs: number;
  /** After run: the tree is complete (not just `size` processes on the way there). */
  ready?: (tree: readonly ProcInfo[]) => boolean;
}

export const TREE8_WORKLOAD: CtdWorkload = {
  image: CTD_IMAGE,
  runFlags: [],
  args: processArgs('tree8'),
  size: TREE8_SIZE,
  settleMs: 10_000,
};

export interface CtdStep {
  kind: 'run' | 'checkpoint' | 'restore';
  id: string;
  code: number;
  /** ctr's error (last lines of stderr), plus CRIU's first error line when there is one. */
  error: string;
  ms: number;
  /** After run and restore: the tree's size, members outside the init's cgroups, and
   *  whether the init is in the cgroup the variant expects. */
  members?: number;
  strays?: number;
  initCgroup?: string;
  expectedCgroup?: string;
  /** The tree's size the workload expects (tree8's 8 when absent). */
  expectedMembers?: number;
  /** The tree's process names, parents first. */
  comms?: string[];
  /** How long after ctr returned the tree was whole (the JVM's start-up after a run). */
  waitedMs?: number;
}

export interface CtdCycleResult {
  steps: CtdStep[];
  passed: boolean;
  /** Every step's problem, in order (empty when the cycle passed). */
  problems: string[];
}

export interface CtdCycleOptions {
  variant: CtdVariant;
  rounds: number;
  /** Container ids are `<idBase>0`, `<idBase>1`, … */
  idBase: string;
  workload?: CtdWorkload;
}

const now = (): number => Number(process.hrtime.bigint() / 1_000_000n);

/** A step passes when ctr exits 0 and, after run/restore, the tree is whole and placed. */
export function stepProblem(step: CtdStep): string | undefined {
  if (step.code !== 0) return `${step.kind} ${step.id} exited ${step.code}: ${step.error}`;
  if (step.members === undefined) return undefined;
  const size = step.expectedMembers ?? TREE8_SIZE;
  if (step.members !== size)
    return `${step.kind} ${step.id}: ${step.members} processes, not ${size}`;
  if ((step.strays ?? 0) > 0) {
    return `${step.kind} ${step.id}: ${String(step.strays)} of ${step.members} processes outside the init's cgroups`;
  }
  if (step.initCgroup !== step.expectedCgroup) {
    return `${step.kind} ${step.id}: init in ${String(step.initCgroup)}, expected ${String(step.expectedCgroup)}`;
  }
  return undefined;
}

export async function ctdCycle(
  bed: ContainerdBed,
  binary: string,
  opts: CtdCycleOptions,
): Promise<CtdCycleResult> {
  const steps: CtdStep[] = [];
  const finish = (): CtdCycleResult => {
    const problems = steps.map(stepProblem).filter((p): p is string => p !== undefined);
    return { steps, passed: problems.length === 0, problems };
  };
  const first = `${opts.idBase}0`;
  const expected = (id: string): string =>
    bed.cgroupOf(opts.variant === 'same-cgroup' ? first : id);

  const made: string[] = [];
  try {
    await cycleSteps(bed, binary, opts, steps, made, expected);
  } finally {
    // Strays a restore left in a re-created, frozen v1 freezer cgroup hold their task
    // (state D) until thawed: thawed first, each task dies at once instead of after
    // remove()'s 5 s wait.
    bed.thaw();
    for (const id of made) await bed.remove(id);
  }
  return finish();
}

async function cycleSteps(
  bed: ContainerdBed,
  binary: string,
  opts: CtdCycleOptions,
  steps: CtdStep[],
  made: string[],
  expected: (id: string) => string,
): Promise<void> {
  const first = `${opts.idBase}0`;
  const work = opts.workload ?? TREE8_WORKLOAD;
  let t = now();
  made.push(first);
  const run = await bed.ctr([
    'run',
    '--detach',
    '--null-io',
    '--runc-binary',
    binary,
    ...work.runFlags,
    work.image,
    first,
    ...work.args,
  ]);
  steps.push(
    await placed(bed, { kind: 'run', id: first, ...outcome(run, t) }, expected(first), work),
  );
  if (run.code !== 0) return;

  let current = first;
  for (let round = 1; round <= opts.rounds + 1; round++) {
    const ref = `cgt/ckpt-${current}:latest`;
    t = now();
    const ckpt = await bed.ctr([
      'container',
      'checkpoint',
      '--task',
      '--rw',
      '--image',
      current,
      ref,
    ]);
    steps.push({ kind: 'checkpoint', id: current, ...outcome(ckpt, t) });
    if (ckpt.code !== 0) {
      (steps.at(-1) as CtdStep).error += criuError(bed, current);
      return;
    }
    if (round > opts.rounds) return;
    await bed.remove(current);
    const next = `${opts.idBase}${round}`;
    made.push(next);
    t = now();
    const restore = await bed.ctr(['container', 'restore', '--live', '--rw', next, ref]);
    const step: CtdStep = { kind: 'restore', id: next, ...outcome(restore, t) };
    await bed.ctr(['image', 'rm', '--sync', ref]);
    steps.push(restore.code === 0 ? await placed(bed, step, expected(next), work) : step);
    if (restore.code !== 0) return;
    current = next;
  }
}

function outcome(
  r: { code: number; stderr: string },
  started: number,
): Omit<CtdStep, 'kind' | 'id'> {
  const error = r.code === 0 ? '' : r.stderr.trim().split('\n').slice(-3).join(' | ');
  return { code: r.code, error, ms: now() - started };
}

/** CRIU's first error line from the dump log containerd keeps after a failed checkpoint. */
function criuError(bed: ContainerdBed, id: string): string {
  const log = join(
    bed.dir,
    'state',
    'io.containerd.runtime.v2.task',
    bed.namespace,
    id,
    'criu-dump.log',
  );
  try {
    const line = readFileSync(log, 'utf8')
      .split('\n')
      // Root here may not raise RLIMIT_NOFILE: CRIU logs it as an error and goes on.
      .find((l) => l.includes('Error') && !l.includes("Can't setup RLIMIT_NOFILE"));
    return line === undefined ? '' : ` | CRIU: ${line.trim()}`;
  } catch {
    return '';
  }
}

/** Adds the tree's placement to a run/restore step, waiting up to the workload's settle
 *  time for its whole tree (a run also waits for `ready`). */
async function placed(
  bed: ContainerdBed,
  step: CtdStep,
  expectedCgroup: string,
  work: CtdWorkload,
): Promise<CtdStep> {
  if (step.code !== 0) return step;
  const key = bed.mode === 'v1' ? 'freezer' : UNIFIED;
  const began = now();
  const deadline = Date.now() + work.settleMs;
  for (;;) {
    const init = (await bed.tasks()).get(step.id)?.pid;
    const members = init === undefined ? [] : [init, ...descendants(init, readPpidTable())];
    const tree = init === undefined ? [] : processTree(init);
    const whole =
      members.length >= work.size &&
      (step.kind !== 'run' || work.ready === undefined || work.ready(tree));
    if (init !== undefined && (whole || Date.now() > deadline)) {
      const initCgroups = readCgroups(init, bed.mode) ?? new Map<string, string>();
      const strays = members.filter((pid) => {
        const cg = readCgroups(pid, bed.mode);
        return pid !== init && cg !== undefined && differingHierarchies(cg, initCgroups).length > 0;
      });
      return {
        ...step,
        members: members.length,
        strays: strays.length,
        initCgroup: initCgroups.get(key),
        expectedCgroup,
        expectedMembers: work.size,
        comms: tree.map((p) => p.comm),
        waitedMs: now() - began,
      };
    }
    if (Date.now() > deadline)
      return { ...step, members: 0, expectedCgroup, expectedMembers: work.size };
    await new Promise((r) => setTimeout(r, 100));
  }
}
