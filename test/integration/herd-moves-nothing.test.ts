// Where the lower runtime already restores correctly (crun 1.21, and runc with the cgroup
// it records in state.json `cgroup_paths`), the herd must find nothing to move: checkpoint
// -> restore under a new id -> checkpoint through cgherd, with the herd's own count of
// moves read from cgherd's debug log. The herd ran (a log line per herd) or this proves
// nothing.

import { readFileSync, rmSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MODES, RUNTIMES } from '../lib/bed.js';
import { cleanupPrefix } from '../lib/cleanup.js';
import { viaCgherd } from '../lib/scenario.js';
import { assertAllCycles, runCycles } from './herd-lib.js';
import { herdLogLines } from './sec-lib.js';

const PREFIX = 'cgt-herd-none-';

test.after(async () => {
  await cleanupPrefix(PREFIX);
});

const LOWER = [
  ['crun 1.21', RUNTIMES.crun121],
  ['runc 1.1.5', RUNTIMES.runc],
] as const;

for (const mode of MODES) {
  for (const [name, path] of LOWER) {
    test(`${mode}: cgherd over ${name}, 2 cycles under new ids: the herd moves nothing`, async () => {
      const log = `/tmp/${PREFIX}${mode}-${name.replace(/\W+/g, '')}.log`;
      rmSync(log, { force: true });
      const rt = viaCgherd(path, `cgherd over ${name}`, {
        DEBUG: 'cgherd:*',
        CGHERD_DEBUG_LOG: log,
      });
      const o = await runCycles(mode, rt, PREFIX, 'new', 2);
      assertAllCycles(`${mode} cgherd/${name} new id`, o, 2);
      const herds = herdLogLines(readFileSync(log, 'utf8'));
      rmSync(log, { force: true });
      for (const h of herds) console.log(`  ${mode} ${name}: ${h.line}`);
      // One herd after each restore and one before each checkpoint (the first included).
      assert.ok(
        herds.length >= 4,
        `expected at least 4 herds in the debug log, saw ${herds.length}`,
      );
      assert.ok(
        herds.every((h) => h.members === 8),
        'every herd saw the whole 8-process tree',
      );
      assert.equal(
        herds.map((h) => h.moved),
        herds.map(() => 0),
        `${name} placed every restored process itself: the herd has nothing to move`,
      );
    });
  }
}

test.run();
