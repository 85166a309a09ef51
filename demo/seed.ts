// `make demo`: the seed scenario, end to end, on built-in defaults.
//
// A container whose init runs a small process tree (a child, and a double-forked setsid
// daemon with a child of its own: 8 processes) is checkpointed, restored under a new id
// (what `podman container restore --import --name X` does) and checkpointed again, on
// crun 1.8.1 (Debian 12's crun, built with CRIU) and cgroup v1:
//   1. with crun alone, the second checkpoint fails with CRIU's "Unseizable non-zombie";
//   2. with cgherd in front of the same crun, three full cycles pass.
// Exit 0 only if both happen as described.

import { RUNTIMES } from '../test/lib/bed.js';
import { TREE8_SIZE } from '../test/lib/bundle.js';
import { cleanupPrefix } from '../test/lib/cleanup.js';
import { Scenario, bare, viaCgherd, type RuntimeUnderTest } from '../test/lib/scenario.js';

const PREFIX = 'cgherd-demo-';
const CYCLES = 3;

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

async function placementLine(sc: Scenario, id: string): Promise<string> {
  const p = await sc.waitForTree(id, TREE8_SIZE);
  const inPlace = p.members.length - p.strays.length;
  return `${inPlace}/${p.members.length} processes in the init's cgroup${p.strays.length ? ` (strays: ${p.strays.join(' ')})` : ''}`;
}

/** Checkpoints `id` into `image` and says how it went, with CRIU's reason on failure. */
async function checkpointStep(sc: Scenario, id: string, image: string): Promise<boolean> {
  const dump = await sc.checkpoint(id, image);
  if (dump.code === 0) {
    say(`  checkpoint ${id}: ok`);
    return true;
  }
  const log = await sc.dumpLog(image).catch(() => '');
  const cause = log.split('\n').find((l) => l.includes('Unseizable')) ?? dump.stderr.trim();
  say(`  checkpoint ${id}: FAILED`);
  say(`    ${cause}`);
  return false;
}

/** Returns how many restores were followed by a successful checkpoint. */
async function cycles(rt: RuntimeUnderTest, count: number): Promise<number> {
  const sc = new Scenario('v1', rt, PREFIX);
  try {
    let id = `${PREFIX}0`;
    const run = await sc.run(id, await sc.bundle('bundle0', { tree: 'tree8' }));
    if (run.code !== 0) throw new Error(`run failed: ${run.stderr}`);
    say(`  run ${id}: ${await placementLine(sc, id)}`);
    if (!(await checkpointStep(sc, id, sc.path('image0')))) return 0;
    for (let n = 1; n <= count; n++) {
      const image = sc.path(`image${n - 1}`);
      id = `${PREFIX}${n}`;
      const restore = await sc.restore(id, await sc.bundle(`bundle${n}`, { tree: 'tree8' }), image);
      if (restore.code !== 0) throw new Error(`restore failed: ${restore.stderr}`);
      say(`  restore as ${id}: ${await placementLine(sc, id)}`);
      if (!(await checkpointStep(sc, id, sc.path(`image${n}`)))) return n - 1;
    }
    return count;
  } finally {
    await sc.cleanup();
  }
}

async function main(): Promise<number> {
  say('cgherd demo: checkpoint -> restore under a new id -> checkpoint, crun 1.8.1, cgroup v1\n');
  say('1. crun 1.8.1 alone');
  const control = await cycles(bare(RUNTIMES.crun181, 'crun 1.8.1'), 1);
  say('');
  say('2. cgherd in front of the same crun 1.8.1');
  const fixed = await cycles(viaCgherd(RUNTIMES.crun181, 'cgherd over crun 1.8.1'), CYCLES);
  say('');
  const controlFailed = control === 0;
  const fixPassed = fixed === CYCLES;
  say(
    `crun alone:  ${controlFailed ? 'second checkpoint failed, as the bug predicts' : 'UNEXPECTED: passed'}`,
  );
  say(
    `with cgherd: ${fixPassed ? `${CYCLES} cycles, every checkpoint passed` : `FAILED after ${fixed} cycles`}`,
  );
  return controlFailed && fixPassed ? 0 : 1;
}

try {
  process.exitCode = await main();
} finally {
  await cleanupPrefix(PREFIX);
}
