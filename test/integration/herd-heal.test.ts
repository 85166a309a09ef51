// Healing and refusing, crun 1.8.1, v1 and v2. A container restored under a new id by bare
// crun 1.8.1 (strays left behind) is checkpointed through cgherd: the herd before the
// checkpoint heals it and the checkpoint passes; the control, a bare checkpoint of an
// identical container, fails. When the strays cannot be moved (a read-only cgroup mount),
// cgherd refuses with the pids, cgroups and errno, and the container keeps running, thawed.

import { mkdirSync, readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  CGHERD_BIN,
  MODES,
  RUNTIMES,
  inMode,
  type CgroupMode,
  type RunResult,
} from '../lib/bed/bed.js';
import { brokenRestore as brokenRestoreOf } from '../lib/cgroups/broken-restore.js';
import { cleanupPrefix } from '../lib/bed/cleanup.js';
import { checkpointArgv } from '../lib/scenario/cr-argv.js';
import { Scenario, bare } from '../lib/scenario/scenario.js';

const PREFIX = 'cgt-herd-heal-';

test.after(async () => {
  await cleanupPrefix(PREFIX);
});

/** A container restored under a new id by bare crun 1.8.1: the broken placement. */
async function brokenRestore(sc: Scenario): Promise<string> {
  const { id, placement } = await brokenRestoreOf(sc);
  assert.ok(placement.strays.length > 0, 'bare crun 1.8.1 must leave strays (control)');
  return id;
}

/** `checkpoint` through cgherd over crun 1.8.1, in the scenario's state root. */
function cgherdCheckpoint(
  sc: Scenario,
  id: string,
  image: string,
  prelude = '',
): Promise<RunResult> {
  const work = sc.workPathFor(image);
  mkdirSync(image, { recursive: true });
  mkdirSync(work, { recursive: true }); // crun 1.8.1 needs both to exist
  const argv = ['--root', sc.root, ...checkpointArgv(id, image, work)];
  const script = `${prelude}exec "$0" "$@"`;
  return inMode(sc.mode, '/bin/sh', ['-c', script, CGHERD_BIN, ...argv], {
    env: { CGHERD_RUNTIME: RUNTIMES.crun181 },
  });
}

function frozen(mode: CgroupMode, cgroup: string): boolean {
  if (mode === 'v1')
    return !readFileSync(`/sys/fs/cgroup/freezer${cgroup}/freezer.state`, 'utf8').includes(
      'THAWED',
    );
  return readFileSync(`/sys/fs/cgroup/unified${cgroup}/cgroup.freeze`, 'utf8').trim() === '1';
}

for (const mode of MODES) {
  test(`${mode}: a bare-restored container is healed by a checkpoint through cgherd`, async () => {
    const sc = new Scenario(mode, bare(RUNTIMES.crun181, 'crun 1.8.1'), PREFIX);
    try {
      const control = await brokenRestore(sc);
      const controlImage = sc.path('control-dump');
      const failed = await sc.checkpoint(control, controlImage);
      assert.is.not(failed.code, 0, 'control: a bare checkpoint must fail');
      assert.match(await sc.dumpLog(controlImage), 'Unseizable non-zombie');

      const healed = await brokenRestore(sc);
      const image = sc.path('healed-dump');
      const result = await cgherdCheckpoint(sc, healed, image);
      console.log(
        `  ${mode}: bare checkpoint exit ${failed.code}, through cgherd exit ${result.code}`,
      );
      assert.is(result.code, 0, `checkpoint through cgherd: ${result.stderr}`);
    } finally {
      await sc.cleanup();
    }
  });

  test(`${mode}: strays that cannot be moved: refused, precise, container running and thawed`, async () => {
    const sc = new Scenario(mode, bare(RUNTIMES.crun181, 'crun 1.8.1'), PREFIX);
    try {
      const id = await brokenRestore(sc);
      const before = await sc.placement(id);
      // Read-only in this call's private mount namespace only: every write gives EROFS.
      const ro =
        mode === 'v1'
          ? 'mount -o remount,bind,ro /sys/fs/cgroup/freezer || exit 99; '
          : 'mount -o remount,bind,ro /sys/fs/cgroup || exit 99; ';
      const result = await cgherdCheckpoint(sc, id, sc.path('refused'), ro);
      console.log(
        `  ${mode}: refused with exit ${result.code}: ${result.stderr.trim().slice(0, 300)}`,
      );
      assert.is.not(result.code, 0);
      assert.is.not(result.code, 99, 'the read-only remount failed');
      assert.match(result.stderr, /checkpoint refused/);
      assert.match(result.stderr, 'EROFS');
      // Every pid the refusal names is one of the strays seen before, and it names some.
      const named = [...result.stderr.matchAll(/\bpid (\d+)/g)].map((m) => Number(m[1]));
      assert.ok(named.length > 0, 'the refusal names no pid');
      for (const pid of named) {
        assert.ok(before.strays.includes(pid), `pid ${pid} is no stray of ${before.strays}`);
      }
      assert.match(result.stderr, mode === 'v1' ? /freezer/ : /unified/);
      assert.is(result.stderr.trim().split('\n').length, 1, 'one error record');
      const after = await sc.placement(id);
      assert.equal(after.members, before.members, 'the container keeps running, whole');
      assert.not.ok(frozen(mode, after.cgroup ?? `/${id}`), 'nothing frozen');
    } finally {
      await sc.cleanup();
    }
  });
}

test.run();
