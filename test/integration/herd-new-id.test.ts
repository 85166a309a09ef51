// Issue 3's first acceptance case: crun 1.8.1, run -> checkpoint -> restore under a new id
// -> checkpoint ... 5 cycles through cgherd on v1 and v2. The control (bare crun 1.8.1)
// fails at the second checkpoint with "Unseizable non-zombie".

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MODES, RUNTIMES } from '../lib/bed/bed.js';
import { cleanupPrefix } from '../lib/bed/cleanup.js';
import { bare, viaCgherd } from '../lib/scenario/scenario.js';
import { assertAllCycles, describeOutcome, runCycles } from '../lib/cgroups/herd-lib.js';

const PREFIX = 'cgt-herd-new-';
const CYCLES = 5;

test.after(async () => {
  await cleanupPrefix(PREFIX);
});

for (const mode of MODES) {
  test(`${mode}: control, bare crun 1.8.1 fails at the second checkpoint`, async () => {
    const o = await runCycles(mode, bare(RUNTIMES.crun181, 'crun 1.8.1'), PREFIX, 'new', 2, {
      checkPlacement: false,
    });
    console.log(describeOutcome(`${mode} control crun 1.8.1 new id`, o));
    assert.ok(
      (o.misplaced[0] ?? 0) > 0,
      'bare crun 1.8.1 leaves strays after a restore under a new id',
    );
    assert.equal(
      [o.failure?.cycle, o.failure?.step],
      [2, 'checkpoint'],
      'the control must fail at the second checkpoint, or this file proves nothing',
    );
    assert.match(o.dumpLog ?? '', 'Unseizable non-zombie');
  });

  test(`${mode}: through cgherd (restore root + herd), ${CYCLES} cycles under new ids`, async () => {
    const o = await runCycles(
      mode,
      viaCgherd(RUNTIMES.crun181, 'cgherd over crun 1.8.1'),
      PREFIX,
      'new',
      CYCLES,
    );
    assertAllCycles(`${mode} cgherd/crun 1.8.1 new id`, o, CYCLES);
  });

  // The herd as the only fix (what a systemd cgroup manager gets): shorter, it is the
  // safety net rather than the first line.
  test(`${mode}: through cgherd, the herd alone (no restore root), 3 cycles`, async () => {
    const o = await runCycles(
      mode,
      viaCgherd(RUNTIMES.crun181, 'cgherd (herd only) over crun 1.8.1', {
        CGHERD_RESTORE_CGROUP_ROOT: 'never',
      }),
      PREFIX,
      'new',
      3,
    );
    assertAllCycles(`${mode} cgherd herd-only/crun 1.8.1 new id`, o, 3);
  });
}

test.run();
