// crun 1.8.1, checkpoint -> restore under the same id, 5 cycles through cgherd on v1 and
// v2. The same-id case works on bare crun 1.8.1 too (facts): here cgherd must simply not
// break it, and must leave the container's own cgroup (which is also the dumped path) alone.

import { test } from 'uvu';
import { MODES, RUNTIMES } from '../lib/bed/bed.js';
import { cleanupPrefix } from '../lib/bed/cleanup.js';
import { viaCgherd } from '../lib/scenario/scenario.js';
import { assertAllCycles, runCycles } from '../lib/cgroups/herd-lib.js';

const PREFIX = 'cgt-herd-same-';
const CYCLES = 5;

test.after(async () => {
  await cleanupPrefix(PREFIX);
});

for (const mode of MODES) {
  test(`${mode}: through cgherd, ${CYCLES} cycles under the same id`, async () => {
    const o = await runCycles(
      mode,
      viaCgherd(RUNTIMES.crun181, 'cgherd over crun 1.8.1'),
      PREFIX,
      'same',
      CYCLES,
    );
    assertAllCycles(`${mode} cgherd/crun 1.8.1 same id`, o, CYCLES);
  });
}

test.run();
