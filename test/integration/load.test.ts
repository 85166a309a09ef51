// Load through cgherd over crun 1.8.1, v1 and v2: tree8 containers checkpointed and
// restored in parallel under new ids, round after round. Processes lost, strays, leftover
// cgroups (every hierarchy), frozen cgroups and failed checkpoints must all be 0.
// The full 20 x 5 by default (about 35 s per mode on 2 cores); CGT_LOAD_CONTAINERS and
// CGT_LOAD_ROUNDS change it. The wall time against crun 1.21 alone is `make bench`
// (bench/load.ts). Control: the same load over bare crun 1.8.1 (2 rounds) leaves strays
// and fails the next checkpoints, which is what the counts above prove cgherd fixes.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MODES, RUNTIMES } from '../lib/bed/bed.js';
import { cleanupPrefix } from '../lib/bed/cleanup.js';
import { describeLoad, runLoad } from '../lib/scenario/load.js';
import { bare, viaCgherd } from '../lib/scenario/scenario.js';

const PREFIX = 'cgt-load-';
const CONTAINERS = Number(process.env.CGT_LOAD_CONTAINERS ?? 20);
const ROUNDS = Number(process.env.CGT_LOAD_ROUNDS ?? 5);

test.after(async () => {
  await cleanupPrefix(PREFIX);
});

for (const mode of MODES) {
  test(`${mode}: control, ${CONTAINERS} containers x 2 rounds over bare crun 1.8.1: strays, failed checkpoints`, async () => {
    const r = await runLoad(
      mode,
      bare(RUNTIMES.crun181, 'crun 1.8.1'),
      `${PREFIX}bare-${mode}-`,
      CONTAINERS,
      2,
    );
    console.log(describeLoad(r));
    assert.ok(
      r.strays > 0,
      'control: bare crun 1.8.1 must leave strays, or the load proves nothing',
    );
    assert.ok(r.failedCheckpoints > 0, 'control: the strays must fail the next checkpoints');
  });

  test(`${mode}: ${CONTAINERS} containers x ${ROUNDS} rounds in parallel through cgherd over crun 1.8.1: nothing lost`, async () => {
    const r = await runLoad(
      mode,
      viaCgherd(RUNTIMES.crun181, 'cgherd over crun 1.8.1'),
      `${PREFIX}${mode}-`,
      CONTAINERS,
      ROUNDS,
    );
    console.log(describeLoad(r));
    const why = r.errors.join('\n');
    assert.is(r.failedCheckpoints, 0, `failed checkpoints:\n${why}`);
    assert.is(r.failedRestores, 0, `failed restores:\n${why}`);
    assert.is(r.lost, 0, `processes lost:\n${why}`);
    assert.is(r.strays, 0, `strays:\n${why}`);
    assert.equal(r.leftoverCgroups, [], 'leftover cgroups');
    assert.equal(r.frozen, [], 'frozen cgroups');
  });
}

test.run();
