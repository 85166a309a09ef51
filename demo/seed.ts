// `make demo`: the seed scenario, end to end, on built-in defaults.
//
// A container whose init runs a small process tree (a child, and a double-forked setsid
// daemon with a child of its own: 8 processes) is checkpointed, restored under a new id
// (what `podman container restore --import --name X` does) and checkpointed again, on
// crun 1.8.1 (Debian 12's crun, built with CRIU) and cgroup v1:
//   1. with crun alone, the second checkpoint fails with CRIU's "Unseizable non-zombie";
//   2. with cgherd in front of the same crun, three full cycles pass.
// Exit 0 only if both happen as described. Each failing step is named with its cause
// (CRIU's reason, or "timed out after N s"); crun alone counts as the control only when
// its failure is the bug itself (demo/outcome.ts).

import {
  RUNTIMES,
  TREE8_SIZE,
  cleanupPrefix,
  Scenario,
  bare,
  viaCgherd,
  type RuntimeUnderTest,
} from './harness.js';
import { classifyStep, controlLine, fixLine, type CyclesReport, type StepKind } from './outcome.js';

const PREFIX = 'cgherd-demo-';
const CYCLES = 3;
/** Per runtime call. A healthy checkpoint of 8 processes takes well under a second. */
const STEP_TIMEOUT_S = 120;

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

async function placementLine(sc: Scenario, id: string): Promise<string> {
  const p = await sc.waitForTree(id, TREE8_SIZE);
  const inPlace = p.members.length - p.strays.length;
  return `${inPlace}/${p.members.length} processes in the init's cgroup${p.strays.length ? ` (strays: ${p.strays.join(' ')})` : ''}`;
}

class StepFailed extends Error {
  constructor(readonly failed: NonNullable<CyclesReport['failed']>) {
    super(`${failed.kind} failed`);
  }
}

/** Checkpoints `id` into `image`; says how it went, and throws StepFailed on failure. */
async function checkpointStep(
  sc: Scenario,
  kind: StepKind,
  id: string,
  image: string,
): Promise<void> {
  say(`  checkpoint ${id} ...`);
  const dump = await sc.checkpoint(id, image);
  const log = dump.code === 0 ? '' : await sc.dumpLog(image).catch(() => '');
  const outcome = classifyStep(kind, dump, log, STEP_TIMEOUT_S);
  if (outcome.ok) {
    say(`  checkpoint ${id}: ok`);
    return;
  }
  say(`  checkpoint ${id}: FAILED`);
  say(`    ${outcome.cause ?? ''}`);
  throw new StepFailed({ kind, outcome });
}

async function restoreStep(sc: Scenario, id: string, bundle: string, image: string): Promise<void> {
  say(`  restore as ${id} ...`);
  const restore = await sc.restore(id, bundle, image);
  const log = restore.code === 0 ? '' : await sc.restoreLog(image).catch(() => '');
  const outcome = classifyStep('restore', restore, log, STEP_TIMEOUT_S);
  if (!outcome.ok) {
    say(`  restore as ${id}: FAILED`);
    say(`    ${outcome.cause ?? ''}`);
    throw new StepFailed({ kind: 'restore', outcome });
  }
  say(`  restore as ${id}: ${await placementLine(sc, id)}`);
}

/** Run, checkpoint, then `count` times: restore under a new id and checkpoint again. */
async function cycles(rt: RuntimeUnderTest, count: number): Promise<CyclesReport> {
  const sc = new Scenario('v1', rt, PREFIX);
  sc.timeoutMs = STEP_TIMEOUT_S * 1000;
  let passedCycles = 0;
  try {
    let id = `${PREFIX}0`;
    const run = await sc.run(id, await sc.bundle('bundle0', { tree: 'tree8' }));
    const started = classifyStep('run', run, '', STEP_TIMEOUT_S);
    if (!started.ok) throw new StepFailed({ kind: 'run', outcome: started });
    say(`  run ${id}: ${await placementLine(sc, id)}`);
    await checkpointStep(sc, 'first checkpoint', id, sc.path('image0'));
    for (let n = 1; n <= count; n++) {
      id = `${PREFIX}${n}`;
      const bundle = await sc.bundle(`bundle${n}`, { tree: 'tree8' });
      await restoreStep(sc, id, bundle, sc.path(`image${n - 1}`));
      await checkpointStep(sc, 'checkpoint after restore', id, sc.path(`image${n}`));
      passedCycles = n;
    }
    return { passedCycles };
  } catch (error) {
    if (error instanceof StepFailed) return { passedCycles, failed: error.failed };
    throw error;
  } finally {
    await sc.cleanup();
  }
}

async function main(): Promise<number> {
  say('cgherd demo: checkpoint -> restore under a new id -> checkpoint, crun 1.8.1, cgroup v1\n');
  say('1. crun 1.8.1 alone');
  const control = controlLine(await cycles(bare(RUNTIMES.crun181, 'crun 1.8.1'), 1));
  say('');
  say('2. cgherd in front of the same crun 1.8.1');
  const fix = fixLine(
    await cycles(viaCgherd(RUNTIMES.crun181, 'cgherd over crun 1.8.1'), CYCLES),
    CYCLES,
  );
  say('');
  say(`crun alone:  ${control.text}`);
  say(`with cgherd: ${fix.text}`);
  return control.shown && fix.passed ? 0 : 1;
}

try {
  process.exitCode = await main();
} finally {
  await cleanupPrefix(PREFIX);
}
