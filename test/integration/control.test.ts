// The ground truth, without cgherd: the bug must show on the pre-fix runtimes and not on
// crun 1.21, in both cgroup modes. If a case here stops holding, every fix test that
// reuses these steps proves nothing, and this file says so loudly.

import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import { before } from '../lib/bed/before.js';
import * as assert from 'uvu/assert';
import { MODES, RUNTIMES, type CgroupMode } from '../lib/bed/bed.js';
import { TREE8_SIZE } from '../lib/scenario/bundle.js';
import { hostCgroupMounts } from '../lib/cgroups/cgroups.js';
import { cleanupPrefix } from '../lib/bed/cleanup.js';
import { Scenario, bare, type Placement, type RuntimeUnderTest } from '../lib/scenario/scenario.js';

const PREFIX = 'cgt-bed-ctl-';
const UNSEIZABLE = 'Unseizable non-zombie';

const crun181 = bare(RUNTIMES.crun181, 'crun 1.8.1');
const crun121NoRoot = bare(RUNTIMES.crun121NoRoot, 'crun 1.21 without the restore cgroup root');
const crun121 = bare(RUNTIMES.crun121, 'crun 1.21');

interface CycleResult {
  afterRestore: Placement;
  secondCheckpoint: { code: number; stderr: string };
  dumpLog: string;
}

let serial = 0;
const elapsed: Record<CgroupMode, number> = { v1: 0, v2: 0 };

/** run tree8 -> checkpoint -> restore (same or new id) -> checkpoint again. */
async function cycle(
  mode: CgroupMode,
  rt: RuntimeUnderTest,
  idKind: 'same' | 'new',
): Promise<CycleResult> {
  const started = Date.now();
  const sc = new Scenario(mode, rt, PREFIX);
  try {
    const n = serial++;
    const first = `${PREFIX}${n}a`;
    const second = idKind === 'same' ? first : `${PREFIX}${n}b`;
    const bundle1 = await sc.bundle('bundle1', { tree: 'tree8' });
    // A new id gets a bundle of its own, as Podman's restore under a new name does.
    const bundle2 = idKind === 'same' ? bundle1 : await sc.bundle('bundle2', { tree: 'tree8' });
    const image1 = sc.path('image1');
    const image2 = sc.path('image2');

    const run = await sc.run(first, bundle1);
    assert.is(run.code, 0, `${rt.label} ${mode}: run failed: ${run.stderr}`);
    await sc.waitForTree(first, TREE8_SIZE);
    const dump1 = await sc.checkpoint(first, image1);
    assert.is(dump1.code, 0, `${rt.label} ${mode}: first checkpoint failed: ${dump1.stderr}`);
    const restore = await sc.restore(second, bundle2, image1);
    if (restore.code !== 0) {
      const errors = await sc.restoreErrors(image1);
      assert.unreachable(`${rt.label} ${mode}: restore failed: ${restore.stderr}\n${errors}`);
    }
    const afterRestore = await sc.waitForTree(second, TREE8_SIZE);
    const description = await sc.describe(second);
    const dump2 = await sc.checkpoint(second, image2);
    const dumpLog = dump2.code === 0 ? '' : await sc.dumpLog(image2).catch(() => '');
    console.log(
      `  ${mode} ${rt.label}, ${idKind} id: strays ${afterRestore.strays.length}, ` +
        `outside ${afterRestore.outside?.length ?? '?'}/${afterRestore.members.length}, ` +
        `second checkpoint exit ${dump2.code} (${Date.now() - started} ms)`,
    );
    if (process.env.CGT_VERBOSE) console.log(description);
    return { afterRestore, secondCheckpoint: dump2, dumpLog };
  } finally {
    await sc.cleanup();
    elapsed[mode] += Date.now() - started;
  }
}

function controlBroken(mode: CgroupMode, what: string): never {
  throw new Error(
    `CONTROL BROKEN (${mode}): ${what}. The bug no longer reproduces as measured in ` +
      `facts.md, so every cgherd fix test built on these steps PROVES NOTHING until this is ` +
      `understood.`,
  );
}

function expectBug(mode: CgroupMode, rt: RuntimeUnderTest, r: CycleResult): void {
  if (r.secondCheckpoint.code === 0) {
    controlBroken(mode, `${rt.label}: checkpoint after a restore under a new id passed`);
  }
  if (!r.dumpLog.includes(UNSEIZABLE)) {
    controlBroken(
      mode,
      `${rt.label}: checkpoint failed, but dump.log has no "${UNSEIZABLE}" ` +
        `(stderr: ${r.secondCheckpoint.stderr.trim()})`,
    );
  }
  if ((r.afterRestore.outside ?? []).length === 0 && r.afterRestore.strays.length === 0) {
    controlBroken(mode, `${rt.label}: every restored process is in the new container's cgroup`);
  }
}

function expectHealthy(mode: CgroupMode, rt: RuntimeUnderTest, r: CycleResult, kind: string) {
  if (r.secondCheckpoint.code !== 0) {
    controlBroken(
      mode,
      `${rt.label}, ${kind} id: second checkpoint failed (${r.secondCheckpoint.stderr.trim()})` +
        `${r.dumpLog.includes(UNSEIZABLE) ? ` with "${UNSEIZABLE}"` : ''}`,
    );
  }
  assert.equal(r.afterRestore.strays, [], `${rt.label} ${mode} ${kind}: strays after restore`);
  assert.equal(r.afterRestore.outside, [], `${rt.label} ${mode} ${kind}: outside the cgroup`);
}

before(test, async () => {
  for (const bin of [RUNTIMES.crun181, RUNTIMES.crun121NoRoot, RUNTIMES.crun121]) {
    if (!existsSync(bin)) throw new Error(`${bin} is missing: run test/env/setup.sh as root`);
  }
  await cleanupPrefix(PREFIX);
});

test.after(async () => {
  await cleanupPrefix(PREFIX);
  console.log(`  time per mode: v1 ${elapsed.v1} ms, v2 ${elapsed.v2} ms`);
});

for (const mode of MODES) {
  test(`${mode}: crun 1.8.1, restore under a new id: strays, next checkpoint fails Unseizable`, async () => {
    const r = await cycle(mode, crun181, 'new');
    expectBug(mode, crun181, r);
    // facts: init in the new cgroup, the other 7 in the old one.
    assert.is(r.afterRestore.strays.length, TREE8_SIZE - 1, 'strays after restore');
  });

  test(`${mode}: crun 1.8.1, restore under the same id: next checkpoint passes`, async () => {
    expectHealthy(mode, crun181, await cycle(mode, crun181, 'same'), 'same');
  });

  test(`${mode}: crun 1.21 without the restore cgroup root fails like 1.8.1 (new id)`, async () => {
    expectBug(mode, crun121NoRoot, await cycle(mode, crun121NoRoot, 'new'));
  });

  test(`${mode}: crun 1.21 passes under the same id`, async () => {
    expectHealthy(mode, crun121, await cycle(mode, crun121, 'same'), 'same');
  });

  test(`${mode}: crun 1.21 passes under a new id`, async () => {
    expectHealthy(mode, crun121, await cycle(mode, crun121, 'new'), 'new');
  });
}

test('leaves no cgroup with the prefix behind, in any hierarchy', () => {
  const leftovers: string[] = [];
  for (const m of hostCgroupMounts()) {
    for (const name of subdirs(m.mountPoint)) {
      if (name.includes(PREFIX)) leftovers.push(join(m.mountPoint, name));
    }
  }
  assert.equal(leftovers, [], 'cgroups left behind');
  // Someone else's exclusive cpuset breaks every container on v1: say so, it is not ours.
  const cpuset = hostCgroupMounts().find((m) => m.superOptions.split(',').includes('cpuset'));
  const exclusive = cpuset
    ? subdirs(cpuset.mountPoint).filter((name) => {
        const file = join(cpuset.mountPoint, name, 'cpuset.cpu_exclusive');
        return existsSync(file) && readFileSync(file, 'utf8').trim() === '1';
      })
    : [];
  if (exclusive.length > 0) console.log(`  WARNING: exclusive cpusets on the host: ${exclusive}`);
});

function subdirs(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
  } catch {
    return [];
  }
}

test.run();
