// Issue 11, item 8: a name a container chose never reaches the operator's terminal raw.
// A container process writes a name holding an ESC sequence into /proc/self/comm; bare
// crun 1.8.1's restore under a new id leaves it a stray; `cgherd inspect`, `cgherd repair
// --dry-run` and a refused checkpoint (read-only cgroup mount) then name it. Controls: the
// comm really holds the ESC byte, each output names the process (escaped), and the same
// inspect and repair --dry-run with the escaping swapped out (a module hook makes
// printable() return its text unchanged; the runtime face is one bundle, so the operator
// face only) print the raw ESC byte: the escaping is what keeps it off the terminal.

import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { MODES, REPO_ROOT, RUNTIMES, inMode, type RunResult } from '../lib/bed/bed.js';
import { cleanupPrefix } from '../lib/bed/cleanup.js';
import { checkpointArgv } from '../lib/scenario/cr-argv.js';
import { Scenario, bare } from '../lib/scenario/scenario.js';
import { cgherdIn, restoreCopies } from '../lib/scenario/sec-lib.js';

const PREFIX = 'cgt-sec-esc-';
const RAW_NAME = '\x1b[31mEVIL';
const SHOWN_NAME = '\\x1b[31mEVIL';
// busybox printf turns \033 into ESC; the shell's builtin writes its own comm.
const SCRIPT = [
  `/bin/sh -c "printf '\\033[31mEVIL' > /proc/self/comm; while :; do sleep 100006; done" evil &`,
  'while :; do sleep 100001; done',
].join('\n');
const SIZE = 4; // init, its sleep, the renamed shell, its sleep
const CLI = join(REPO_ROOT, 'dist', 'src', 'cli.js');
// Loaded with --import: every import of printable.js gets one that changes nothing.
const HOOK = `
export async function load(url, context, next) {
  if (url.endsWith('/dist/src/proc/printable.js'))
    return { format: 'module', source: 'export const printable = (t) => t;', shortCircuit: true };
  return next(url, context);
}`;
const WITHOUT_ESCAPING =
  'data:text/javascript,' +
  encodeURIComponent(
    `import { register } from 'node:module';\n` +
      `register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(HOOK)}`)});`,
  );

/** The operator face (node on dist/src/cli.js, as the launcher runs it) without escaping. */
function unescapedCli(sc: Scenario, argv: readonly string[]): Promise<RunResult> {
  return inMode(sc.mode, process.execPath, ['--import', WITHOUT_ESCAPING, CLI, ...argv], {
    env: { CGHERD_RUNTIME: sc.rt.lower ?? sc.rt.bin },
    timeoutMs: 120_000,
  });
}

function assertRaw(what: string, r: RunResult): void {
  const out = r.stdout + r.stderr;
  console.log(
    `  control, ${what} without escaping (exit ${r.code}): ${JSON.stringify(out.trim().slice(0, 200))}`,
  );
  assert.ok(out.includes(RAW_NAME), `control, ${what}: no raw ESC name without escaping: ${out}`);
}

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
      assertRaw('inspect', await unescapedCli(sc, ['inspect', id, ...root]));
      assertRaw('repair --dry-run', await unescapedCli(sc, ['repair', id, '--dry-run', ...root]));
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
