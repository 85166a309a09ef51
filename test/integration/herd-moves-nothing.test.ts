// Where the lower runtime restores correctly, the herd must find nothing to move:
// checkpoint -> restore under a new id -> checkpoint through cgherd, with the herd's own
// count of moves read from cgherd's debug log (a line per herd, or this proves nothing).
// Measured: crun 1.21 on v1 and v2 and runc 1.1.5 on v1 place every process themselves.
// runc 1.1.5 on v2 restores the whole tree, init included, into the dumped cgroup; the herd
// sees that only because it targets the cgroup runc recorded (state.json `cgroup_paths`),
// and moves all 8 there after each restore. The checkpoint's herd then moves nothing.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MODES, RUNTIMES } from '../lib/bed/bed.js';
import { cleanupPrefix } from '../lib/bed/cleanup.js';
import { viaCgherd } from '../lib/scenario/scenario.js';
import { assertAllCycles, runCycles } from '../lib/cgroups/herd-lib.js';
import { herdLogLines } from '../lib/scenario/sec-lib.js';

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
    test(`${mode}: cgherd over ${name}, 2 cycles under new ids: what the herd moves`, async () => {
      // A root-only directory of its own: cgherd refuses a debug log in a directory others
      // can write (/tmp itself), and the scenario's clean-up removes its own prefix.
      const dir = mkdtempSync('/tmp/cgt-herd-none-log-');
      const log = join(dir, 'debug.log');
      const rt = viaCgherd(path, `cgherd over ${name}`, {
        DEBUG: 'cgherd:*',
        CGHERD_DEBUG_LOG: log,
      });
      const o = await runCycles(mode, rt, PREFIX, 'new', 2);
      assertAllCycles(`${mode} cgherd/${name} new id`, o, 2);
      const herds = herdLogLines(readFileSync(log, 'utf8'));
      rmSync(dir, { recursive: true, force: true });
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
      const wholeTreeElsewhere = mode === 'v2' && name.startsWith('runc');
      // Herds in order: checkpoint of x0; after restore x1, checkpoint of x1; after restore x2.
      const expected = herds.map((_, i) => (wholeTreeElsewhere && i % 2 === 1 ? 8 : 0));
      assert.equal(
        herds.map((h) => h.moved),
        expected,
        wholeTreeElsewhere
          ? `${name} restores the whole tree into the old cgroup: the herd moves all 8 to runc's recorded cgroup`
          : `${name} placed every restored process itself: the herd has nothing to move`,
      );
    });
  }
}

test.run();
