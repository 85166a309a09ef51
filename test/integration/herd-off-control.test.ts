// A negative control through cgherd itself: with `herd: false` and
// `restoreCgroupRoot: never` cgherd only forwards, so crun 1.8.1's bug must come back:
// strays after a restore under a new id, and the second checkpoint fails `Unseizable`.
// Its twin, the same file with `herd: true`, passes: the one key is the difference.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MODES, RUNTIMES } from '../lib/bed/bed.js';
import { writeCgherdConfig } from '../lib/bed/cgherd-config.js';
import { cleanupPrefix } from '../lib/bed/cleanup.js';
import { viaCgherd } from '../lib/scenario/scenario.js';
import { assertAllCycles, describeOutcome, runCycles } from '../lib/cgroups/herd-lib.js';

const PREFIX = 'cgt-herd-off-';

test.after(async () => {
  await cleanupPrefix(PREFIX);
});

for (const mode of MODES) {
  test(`${mode}: cgherd with herd false, restore root never: strays, second checkpoint Unseizable`, async () => {
    const config = writeCgherdConfig(PREFIX, { herd: false, restoreCgroupRoot: 'never' });
    const rt = viaCgherd(RUNTIMES.crun181, 'cgherd (herd off) over crun 1.8.1', {
      CGHERD_CONFIG: config,
    });
    const o = await runCycles(mode, rt, PREFIX, 'new', 2, { checkPlacement: false });
    console.log(describeOutcome(`${mode} cgherd herd off/crun 1.8.1 new id`, o));
    assert.is(o.misplaced[0], 7, 'the herd is off: 7 of 8 stay in the dumped cgroup');
    assert.equal([o.failure?.cycle, o.failure?.step], [2, 'checkpoint']);
    assert.match(o.dumpLog ?? '', 'Unseizable non-zombie');
  });

  test(`${mode}: the same config with herd true passes 2 cycles`, async () => {
    const config = writeCgherdConfig(PREFIX, { herd: true, restoreCgroupRoot: 'never' });
    const rt = viaCgherd(RUNTIMES.crun181, 'cgherd (herd on) over crun 1.8.1', {
      CGHERD_CONFIG: config,
    });
    assertAllCycles(
      `${mode} cgherd herd on/crun 1.8.1 new id`,
      await runCycles(mode, rt, PREFIX, 'new', 2),
      2,
    );
  });
}

test.run();
