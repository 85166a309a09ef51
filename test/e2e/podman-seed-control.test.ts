// The control for podman-seed-fix, without cgherd: through Podman, a Java daemon container
// checkpointed with --export and restored with --import under a new name cannot be
// checkpointed again with a crun that lacks the fix (facts.md, "The bug"). If this stops
// failing, the fix's test proves nothing.
//   v1: crun 1.8.1 (bookworm's, built with CRIU)
//   v2: crun 1.21 without the restore cgroup root (crun 1.8.1 cannot create Podman's
//       containers on v2 here: RLIMIT_MEMLOCK)
// And the reference: crun 1.21, which has the fix, passes the same steps in this bed, so
// the failures above are the bug and not the bed.

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync } from 'node:fs';
import { MODES, RUNTIMES, type CgroupMode } from '../lib/bed/bed.js';
import { withPodmanBed } from '../lib/podman/podman.js';
import { describePlacement, placementOf } from '../lib/podman/podman-procs.js';
import {
  containerId,
  exportCheckpoint,
  importRestore,
  startJavaContainer,
} from '../lib/podman/podman-seed.js';

interface Case {
  mode: CgroupMode;
  runtime: string;
  label: string;
  bin: string;
}

const CASES: Case[] = [
  { mode: 'v1', runtime: 'crun-1.8.1', label: 'crun 1.8.1', bin: RUNTIMES.crun181 },
  {
    mode: 'v2',
    runtime: 'crun-1.21-noroot',
    label: 'crun 1.21 without the restore cgroup root',
    bin: RUNTIMES.crun121NoRoot,
  },
];

const test = suite('podman seed control (no cgherd)');

for (const c of CASES) {
  test(`${c.mode}, ${c.label}: checkpoint after restore --import --name fails`, async () => {
    await withPodmanBed(c.mode, { [c.runtime]: c.bin }, { tag: 'ctl' }, async (bed) => {
      await startJavaContainer(bed, 'c1', c.runtime);
      const c1 = await containerId(bed, 'c1');
      const tar = `${bed.scratch}/c1.tar`;
      const ck = await exportCheckpoint(bed, 'c1', tar);
      assert.is(ck.code, 0, `first checkpoint: ${ck.stderr}`);
      const rs = await importRestore(bed, tar, 'c2');
      assert.is(rs.code, 0, `restore --import: ${rs.stderr}`);

      // The bug, seen directly: the restored tree outside the new container's cgroup,
      // still in the one recorded in the image (c1's).
      const placed = placementOf(await bed.initPid('c2'), c.mode);
      const detail = describePlacement(placed, c.mode);
      assert.ok(placed.strays.length > 0, `no stray after the restore:\n${detail}`);
      for (const s of placed.strays) {
        assert.ok(
          [...s.cgroups.values()].some((p) => p.endsWith(`libpod-${c1}`)),
          `stray ${s.proc.pid} ${s.proc.comm} is not in c1's cgroup:\n${detail}`,
        );
      }

      const again = await bed.podman(['container', 'checkpoint', 'c2']);
      assert.is.not(again.code, 0, `checkpoint of the restored container passed:\n${detail}`);
      const dumpLog = await bed.userdataFile('c2', 'dump.log');
      const log = existsSync(dumpLog) ? readFileSync(dumpLog, 'utf8') : '';
      assert.ok(
        /Unseizable non-zombie/.test(log) || /CRIU checkpointing failed -52/.test(again.stderr),
        `failed, but not the way facts.md describes:\n${again.stderr}\n${log.slice(-2000)}`,
      );
      console.log(
        `  ${c.mode} ${c.label}: ${placed.strays.length}/${placed.members.length} strays; ` +
          `dump.log ${/Unseizable non-zombie/.test(log) ? 'has' : 'lacks'} "Unseizable non-zombie"`,
      );
    });
  });
}

for (const mode of MODES) {
  test(`${mode}, crun 1.21 (reference): the same steps pass`, async () => {
    await withPodmanBed(mode, { crun: RUNTIMES.crun121 }, { tag: 'ref' }, async (bed) => {
      await startJavaContainer(bed, 'c1', 'crun');
      const tar = `${bed.scratch}/c1.tar`;
      const ck = await exportCheckpoint(bed, 'c1', tar);
      assert.is(ck.code, 0, `first checkpoint: ${ck.stderr}`);
      const rs = await importRestore(bed, tar, 'c2');
      assert.is(rs.code, 0, `restore --import: ${rs.stderr}`);
      const placed = placementOf(await bed.initPid('c2'), mode);
      assert.is(placed.strays.length, 0, describePlacement(placed, mode));
      const again = await bed.podman(['container', 'checkpoint', 'c2']);
      assert.is(again.code, 0, `checkpoint of the restored container: ${again.stderr}`);
    });
  });
}

test.run();
