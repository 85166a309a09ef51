// One private containerd per cgroup mode for a whole run of the suite, instead of one per
// test: a daemon start and the busybox image's import cost seconds, and the containerd
// files have fifteen tests. test/run.ts opens a session directory (CGHERD_TEST_SESSION);
// the first test that asks for a mode's bed starts it (its holder watches the runner, not
// the test file), records it there and leaves a teardown that stops it after the run's
// last file. Each later test attaches to it. After each test the bed is cleared: every
// container, its cgroups, and every image but the base ones go, so a test meets the bed as
// a fresh one. Outside a session (a test file run alone) each test has a bed of its own.
//
//   node dist/test/lib/containerd/ctd-session.js stop MODE HOLDER     the session's teardown

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CgroupMode } from '../bed/bed.js';
import { CTD_IMAGE, CTD_PREFIX, ContainerdBed, withContainerdBed } from './containerd.js';
import { CTD_JAVA_IMAGE } from './ctd-java.js';

/** Images a cleared bed keeps: the base busybox, and the Java daemon's, built once per
 *  bed. */
const KEEP = [CTD_IMAGE, CTD_JAVA_IMAGE];
const TAG = 'run';

interface SessionRecord {
  name: string;
  holder: number;
}

/** The session directory of the runner that started this file, if any. */
function sessionDir(): string | undefined {
  const dir = process.env.CGHERD_TEST_SESSION;
  return dir !== undefined && existsSync(join(dir, 'teardown')) ? dir : undefined;
}

/** Runs `use` with the run's bed for the mode (or, outside a session, a bed of its own
 *  tagged `tag`); the run's bed is cleared afterwards. */
export async function withSessionBed<T>(
  mode: CgroupMode,
  tag: string,
  use: (bed: ContainerdBed) => Promise<T>,
): Promise<T> {
  const dir = sessionDir();
  if (dir === undefined) return withContainerdBed(mode, { tag }, use);
  const bed = await sessionBed(dir, mode);
  let result: T;
  try {
    result = await use(bed);
  } catch (err) {
    await bed.clear(KEEP).catch((e: Error) => console.log(`  ${e.message}`));
    throw err;
  }
  await bed.clear(KEEP);
  return result;
}

async function sessionBed(dir: string, mode: CgroupMode): Promise<ContainerdBed> {
  const record = join(dir, `ctd-${mode}.json`);
  if (existsSync(record)) {
    const { name, holder } = JSON.parse(readFileSync(record, 'utf8')) as SessionRecord;
    const bed = ContainerdBed.attach(mode, name, holder);
    if (bed.alive()) return bed;
  }
  const runner = Number(readFileSync(join(dir, 'runner.pid'), 'utf8'));
  const bed = await ContainerdBed.start(mode, { tag: TAG, watchPid: runner });
  const { holder } = bed;
  writeFileSync(record, JSON.stringify({ name: bed.name, holder } satisfies SessionRecord));
  writeFileSync(
    join(dir, 'teardown', `ctd-${mode}.json`),
    JSON.stringify([
      process.execPath,
      fileURLToPath(import.meta.url),
      'stop',
      mode,
      String(holder),
    ]),
  );
  return bed;
}

async function main(args: readonly string[]): Promise<void> {
  const [verb, mode, holder] = args;
  if (verb !== 'stop' || (mode !== 'v1' && mode !== 'v2') || !/^\d+$/.test(holder ?? '')) {
    throw new Error('usage: ctd-session.js stop v1|v2 HOLDER');
  }
  await ContainerdBed.attach(mode, `${CTD_PREFIX}${mode}-${TAG}`, Number(holder)).stop();
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1])
  await main(process.argv.slice(2));
