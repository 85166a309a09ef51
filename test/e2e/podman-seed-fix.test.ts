// The fix through Podman: cgherd registered in containers.conf over a crun that lacks the
// fix. A Java daemon container goes through `checkpoint --export` -> `restore --import
// --name NEW` three times, and every checkpoint passes with the whole tree kept together in
// the new container's cgroup. The control is podman-seed-control.test.ts: the same steps
// with the same lower runtimes fail without cgherd.
//   v1: cgherd over crun 1.8.1
//   v2: cgherd over crun 1.21 without the restore cgroup root, with Podman's default
//       private cgroup namespace (the case that needs CRIU to restore into the new cgroup)
//   v1 and v2: cgherd over crun 1.21, which has the fix: cgherd must not break it.

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readlinkSync } from 'node:fs';
import { RUNTIMES, type CgroupMode } from '../lib/bed/bed.js';
import { withPodmanBed } from '../lib/podman/podman.js';
import { findJava } from '../lib/podman/podman-java.js';
import { describePlacement, placementOf } from '../lib/podman/podman-procs.js';
import {
  containerId,
  criuErrors,
  exportCheckpoint,
  importRestore,
  shape,
  startJavaContainer,
} from '../lib/podman/podman-seed.js';

interface Case {
  mode: CgroupMode;
  runtime: string;
  label: string;
  lower: string;
  config?: Record<string, unknown>;
}

const CASES: Case[] = [
  {
    mode: 'v1',
    runtime: 'cgherd-crun181',
    label: 'cgherd over crun 1.8.1',
    lower: RUNTIMES.crun181,
  },
  {
    mode: 'v2',
    runtime: 'cgherd-crun121-noroot',
    label: 'cgherd over crun 1.21 without the restore cgroup root',
    lower: RUNTIMES.crun121NoRoot,
    // This fixture says "1.21", the version that has the fix, while its restore lacks it;
    // cgherd goes by the version, so its config file says what a crun <= 1.20 would.
    // (With "auto" here, the second checkpoint fails: "... is not a suffix of ...".)
    config: { restoreCgroupRoot: 'always' },
  },
  {
    mode: 'v1',
    runtime: 'cgherd-crun121',
    label: 'cgherd over crun 1.21',
    lower: RUNTIMES.crun121,
  },
  {
    mode: 'v2',
    runtime: 'cgherd-crun121',
    label: 'cgherd over crun 1.21',
    lower: RUNTIMES.crun121,
  },
];
const CYCLES = 3;

const test = suite('podman seed fix (cgherd)');

for (const c of CASES) {
  test(`${c.mode}, ${c.label}: export, import under a new name, checkpoint, ${CYCLES} times`, async () => {
    const runtimes = { [c.runtime]: { cgherdOver: c.lower, config: c.config } };
    await withPodmanBed(c.mode, runtimes, { tag: 'fix' }, async (bed) => {
      const first = await startJavaContainer(bed, 'c0', c.runtime);
      const expected = shape(first);
      if (c.mode === 'v2') {
        const init = await bed.initPid('c0');
        assert.is.not(
          readlinkSync(`/proc/${init}/ns/cgroup`),
          readlinkSync('/proc/self/ns/cgroup'),
          'on v2 the container must have its own cgroup namespace (Podman default)',
        );
      }
      for (let i = 0; i < CYCLES; i++) {
        const from = `c${i}`;
        const to = `c${i + 1}`;
        const tar = `${bed.scratch}/${from}.tar`;
        const ck = await exportCheckpoint(bed, from, tar);
        if (ck.code !== 0) {
          const log = criuErrors(ck.stderr);
          assert.unreachable(`checkpoint --export ${from} (cycle ${i + 1}):\n${ck.stderr}\n${log}`);
        }
        const rs = await importRestore(bed, tar, to);
        if (rs.code !== 0) {
          const log = criuErrors(rs.stderr);
          assert.unreachable(
            `restore --import --name ${to} (cycle ${i + 1}):\n${rs.stderr}\n${log}`,
          );
        }

        const id = await containerId(bed, to);
        const placed = placementOf(await bed.initPid(to), c.mode);
        const detail = describePlacement(placed, c.mode);
        assert.is(placed.strays.length, 0, `${to}: strays after the restore:\n${detail}`);
        for (const [hierarchy, path] of placed.cgroups) {
          assert.ok(
            path.endsWith(`libpod-${id}`),
            `${to}: init in ${hierarchy}:${path}, not its own cgroup`,
          );
        }
        assert.is(shape(placed.members), expected, `${to}: the tree changed:\n${detail}`);
        assert.ok(findJava(placed.members), `${to}: no JVM with its child:\n${detail}`);
      }

      // The last restored container checkpoints too, and stays usable.
      const last = `c${CYCLES}`;
      const ck = await bed.podman(['container', 'checkpoint', last]);
      assert.is(ck.code, 0, `checkpoint ${last}:\n${ck.stderr}`);
      const rs = await bed.podman(['container', 'restore', last]);
      assert.is(rs.code, 0, `restore ${last} in place:\n${rs.stderr}`);
      assert.is((await bed.ok(['exec', last, '/bin/echo', 'alive'])).trim(), 'alive');
      await bed.ok(['stop', '--time', '2', last]);
      await bed.ok(['rm', last]);
    });
  });
}

test.run();
