// No regressions where the lower runtime already restores correctly: crun 1.21 and runc,
// new and same id, v1 and v2, through cgherd. (Not clones with crun 1.21: they fail on this
// host without cgherd, see facts.) The herd must find nothing to do and change nothing.

import { test } from 'uvu';
import { MODES, RUNTIMES } from '../lib/bed/bed.js';
import { cleanupPrefix } from '../lib/bed/cleanup.js';
import { viaCgherd } from '../lib/scenario/scenario.js';
import { assertAllCycles, runCycles } from '../lib/cgroups/herd-lib.js';

const PREFIX = 'cgt-herd-reg-';

test.after(async () => {
  await cleanupPrefix(PREFIX);
});

const LOWER = [
  ['crun 1.21', RUNTIMES.crun121],
  ['runc', RUNTIMES.runc],
] as const;

for (const mode of MODES) {
  for (const [name, path] of LOWER) {
    test(`${mode}: through cgherd over ${name}, 5 cycles under new ids`, async () => {
      const o = await runCycles(mode, viaCgherd(path, `cgherd over ${name}`), PREFIX, 'new', 5);
      assertAllCycles(`${mode} cgherd/${name} new id`, o, 5);
    });

    test(`${mode}: through cgherd over ${name}, 3 cycles under the same id`, async () => {
      const o = await runCycles(mode, viaCgherd(path, `cgherd over ${name}`), PREFIX, 'same', 3);
      assertAllCycles(`${mode} cgherd/${name} same id`, o, 3);
    });
  }
}

// The second pre-fix fixture reports version 1.21, so the restore root is not applied:
// the herd alone must fix it, moving the whole tree (init included, it was restored into
// the dumped cgroup too) into the cgroup crun recorded.
for (const mode of MODES) {
  test(`${mode}: through cgherd over crun 1.21 without the restore cgroup root, 3 new ids`, async () => {
    const rt = viaCgherd(RUNTIMES.crun121NoRoot, 'cgherd over crun 1.21 without the restore root');
    const o = await runCycles(mode, rt, PREFIX, 'new', 3);
    assertAllCycles(`${mode} cgherd/crun 1.21-noroot new id`, o, 3);
  });
}

test.run();
