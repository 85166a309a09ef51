// Issue 11, item 8: a name a container chose never reaches the operator's terminal raw.
// A container process writes a name holding an ESC sequence into /proc/self/comm; bare
// crun 1.8.1's restore under a new id leaves it a stray; `cgherd inspect`, `cgherd repair
// --dry-run` and a refused checkpoint (read-only cgroup mount) then name it. Control: the
// comm really holds the ESC byte, and each output names the process (escaped).

import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MODES, RUNTIMES, type RunResult } from '../lib/bed.js';
import { cleanupPrefix } from '../lib/cleanup.js';
import { checkpointArgv } from '../lib/cr-argv.js';
import { Scenario, bare } from '../lib/scenario.js';
import { cgherdIn, restoreCopies } from './sec-lib.js';

const PREFIX = 'cgt-sec-esc-';
const RAW_NAME = '\x1b[31mEVIL';
const SHOWN_NAME = '\\x1b[31mEVIL';
// busybox printf turns \033 into ESC; the shell's builtin writes its own comm.
const SCRIPT = [
  `/bin/sh -c "printf '\\033[31mEVIL' > /proc/self/comm; while :; do sleep 100006; done" evil &`,
  'while :; do sleep 100001; done',
].join('\n');
const SIZE = 4; // init, its sleep, the renamed shell, its sleep

test.after(async () => {
  await cleanupPrefix(PREFIX);
});

function assertEscaped(what: string, r: RunResult): void {
  const out = r.stdout + r.stderr;
  console.log(`  ${what} (exit ${r.code}): ${JSON.stringify(out.trim().slice(0, 400))}`);
  assert.not.ok(out.includes('\x1b'), `${what}: a raw ESC byte reached the output`);
  assert.ok(out.includes(SHOWN_NAME), `${what}: the renamed stray is not named: ${out}`);
}

for (const mode of MODES) {
  test(`${mode}: inspect, repair --dry-run and a refused checkpoint show the name escaped`, async () => {
    const sc = new Scenario(mode, bare(RUNTIMES.crun181, 'crun 1.8.1'), `${PREFIX}${mode}-`);
    try {
      const { copies, placements } = await restoreCopies(sc, 'n', SCRIPT, SIZE);
      const id = copies[0] as string;
      const evil = (placements[0]?.members ?? []).filter(
        (pid) => readFileSync(`/proc/${pid}/comm`, 'utf8').trimEnd() === RAW_NAME,
      );
      assert.is(evil.length, 1, 'control: one process carries the raw ESC name');
      assert.ok(placements[0]?.strays.includes(evil[0] as number), 'control: it is a stray');

      const root = ['--root', sc.root];
      const inspect = await cgherdIn(sc, ['inspect', id, ...root]);
      assert.is(inspect.code, 1, 'inspect: the strays make the next checkpoint fail');
      assertEscaped('inspect', inspect);
      const dry = await cgherdIn(sc, ['repair', id, '--dry-run', ...root]);
      assertEscaped('repair --dry-run', dry);

      const image = sc.path('refused');
      const ro =
        mode === 'v1'
          ? 'mount -o remount,bind,ro /sys/fs/cgroup/freezer || exit 99; '
          : 'mount -o remount,bind,ro /sys/fs/cgroup || exit 99; ';
      const refused = await cgherdIn(
        sc,
        [...root, ...checkpointArgv(id, image, sc.workPathFor(image))],
        { prelude: `mkdir -p ${image} ${sc.workPathFor(image)} && ${ro}` },
      );
      assert.is.not(refused.code, 99, 'the read-only remount failed');
      assert.match(refused.stderr, /checkpoint refused/);
      assertEscaped('refused checkpoint', refused);
    } finally {
      await sc.cleanup();
    }
  });
}

test.run();
