// The lower runtime's binary removed between two calls (a package upgrade gone wrong),
// through cgherd, crun 1.8.1 copied to a temp path, v1 and v2. Every later call, on the
// fast path (state, kill, delete) and through Node (checkpoint), fails with one clear
// record naming the path, exit 1; the container keeps running, whole and thawed, and the
// real crun can still manage it.

import { copyFileSync, rmSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MODES, RUNTIMES } from '../lib/bed/bed.js';
import { TREE8_SIZE } from '../lib/scenario/bundle.js';
import { cleanupPrefix } from '../lib/bed/cleanup.js';
import { frozenWithPrefix } from '../lib/scenario/fault.js';
import { Scenario, bare, viaCgherd } from '../lib/scenario/scenario.js';

const PREFIX = 'cgt-fault-gone-';

test.after(async () => {
  await cleanupPrefix(PREFIX);
});

for (const mode of MODES) {
  test(`${mode}: lower runtime removed between calls: clear error, container untouched`, async () => {
    const sc0 = new Scenario(mode, bare(RUNTIMES.crun181, 'crun 1.8.1'), PREFIX);
    try {
      const copy = sc0.path('crun');
      copyFileSync(RUNTIMES.crun181, copy);
      const sc = sc0.through(viaCgherd(copy, 'cgherd over a crun that will vanish'));
      const id = `${PREFIX}${mode}`;
      assert.is((await sc.run(id, await sc.bundle('a', { tree: 'tree8' }))).code, 0);
      const before = await sc.waitForTree(id, TREE8_SIZE);
      rmSync(copy);
      const calls = {
        state: await sc.call(['state', id]),
        checkpoint: await sc.checkpoint(id, sc.path('image')),
        kill: await sc.kill(id, 'KILL'),
        delete: await sc.delete(id, true),
      };
      for (const [name, r] of Object.entries(calls)) {
        console.log(`  ${mode} ${name}: exit ${r.code} "${r.stderr.trim()}"`);
        assert.is(r.code, 1, name);
        assert.is(r.stderr.trim().split('\n').length, 1, `${name}: one record`);
        assert.match(r.stderr, copy, `${name}: names the missing runtime`);
        assert.match(r.stderr, /missing|not executable|no such file/i);
      }
      const after = await sc0.placement(id);
      assert.equal(after.members, before.members, 'the container keeps running, whole');
      assert.equal(after.strays, []);
      assert.equal(frozenWithPrefix(PREFIX), [], 'nothing frozen');
    } finally {
      await sc0.cleanup();
    }
  });
}

test.run();
