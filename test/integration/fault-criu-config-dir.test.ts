// The directory of cgherd's per-restore CRIU config file (/run/cgherd/criu) unwritable
// (a read-only tmpfs over it) or full (a tmpfs with no space left), in the call's private
// mount namespace, crun 1.8.1, v1 and v2. The restore must still pass, with the herd as
// the safety net: every process in the new cgroup, the next checkpoint passes, the user
// sees no error, and no file is left behind. That the herd did the placing (and not a CRIU
// config after all) is read from cgherd's debug log: the herd after the restore moved the
// strays, as herd-moves-nothing reads it.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CGHERD_BIN, MODES, RUNTIMES, inMode, type CgroupMode } from '../lib/bed/bed.js';
import { TREE8_SIZE } from '../lib/scenario/bundle.js';
import { cleanupPrefix } from '../lib/bed/cleanup.js';
import { restoreArgv } from '../lib/scenario/cr-argv.js';
import { frozenWithPrefix } from '../lib/scenario/fault.js';
import { Scenario, viaCgherd } from '../lib/scenario/scenario.js';
import { herdLogLines } from '../lib/scenario/sec-lib.js';

const PREFIX = 'cgt-fault-cfg-';
const DIR = '/run/cgherd/criu';

test.after(async () => {
  await cleanupPrefix(PREFIX);
});

const BROKEN_DIR = {
  // Read-only: the file cannot be created (EROFS).
  unwritable: `mkdir -p ${DIR} && mount -t tmpfs -o ro,size=64k tmpfs ${DIR} || exit 99; `,
  // Full: the file is created, its text cannot be written (ENOSPC).
  full:
    `mkdir -p ${DIR} && mount -t tmpfs -o size=4k tmpfs ${DIR} || exit 99; ` +
    `/bin/dd if=/dev/zero of=${DIR}/fill bs=4k count=4 2>/dev/null; `,
} as const;

let serial = 0;

async function restoreWithBrokenDir(mode: CgroupMode, kind: keyof typeof BROKEN_DIR) {
  // A root-only directory of its own: cgherd refuses a debug log in /tmp itself.
  const logDir = mkdtempSync(`/tmp/${PREFIX}log-`);
  const log = join(logDir, 'debug.log');
  const rt = viaCgherd(RUNTIMES.crun181, 'cgherd over crun 1.8.1', {
    DEBUG: 'cgherd:*',
    CGHERD_DEBUG_LOG: log,
  });
  const sc = new Scenario(mode, rt, PREFIX);
  try {
    const n = serial++;
    const a = `${PREFIX}${n}a`;
    const b = `${PREFIX}${n}b`;
    assert.is((await sc.run(a, await sc.bundle('a', { tree: 'tree8' }))).code, 0);
    await sc.waitForTree(a, TREE8_SIZE);
    const image = sc.path('image');
    assert.is((await sc.checkpoint(a, image)).code, 0);
    const bundle = await sc.bundle('b', { tree: 'tree8' });
    const work = sc.workPathFor(image);
    // The restore runs in the shell's namespace, after the mount; then the shell lists
    // what is left in the directory (the mount dies with the namespace).
    const script =
      `${BROKEN_DIR[kind]}"$0" "$@"; s=$?; ` +
      `echo "left: $(ls -A ${DIR} | grep -v '^fill$' | tr '\\n' ' ')"; exit $s`;
    const r = await inMode(
      mode,
      '/bin/sh',
      ['-c', script, CGHERD_BIN, '--root', sc.root, ...restoreArgv(b, bundle, image, work)],
      { env: sc.rt.env },
    );
    sc.adopt(b);
    const left = /left: (.*)/.exec(r.stdout)?.[1]?.trim() ?? '?';
    const placement = await sc.placement(b);
    const next = await sc.checkpoint(b, sc.path('image2'));
    console.log(
      `  ${mode} config dir ${kind}: restore exit ${r.code}` +
        `${r.stderr.trim() ? ` "${r.stderr.trim()}"` : ', no error'}; ` +
        `${placement.members.length} processes, ${placement.strays.length} strays, ` +
        `outside ${placement.outside?.length}; left in the dir: "${left}"; ` +
        `next checkpoint exit ${next.code}`,
    );
    assert.is.not(r.code, 99, 'the tmpfs could not be mounted');
    assert.is(r.code, 0, `restore: ${r.stderr}`);
    assert.is(r.stderr, '', 'the user sees no error');
    assert.is(placement.members.length, TREE8_SIZE);
    assert.equal(placement.strays, []);
    assert.equal(placement.outside, []);
    assert.is(next.code, 0, `next checkpoint: ${next.stderr}`);
    assert.equal(frozenWithPrefix(PREFIX), []);
    // The herd placed the tree: its first run on b (after the restore) moved the strays
    // crun 1.8.1 left without a CRIU config; the one before the next checkpoint, nothing.
    const herds = herdLogLines(readFileSync(log, 'utf8')).filter((h) =>
      h.line.startsWith(`herd ${b}:`),
    );
    for (const h of herds) console.log(`  ${mode} ${kind}: ${h.line}`);
    assert.ok(herds.length >= 2, `expected 2 herds of ${b} in the debug log, saw ${herds.length}`);
    assert.is(herds[0]?.members, TREE8_SIZE, 'the herd after the restore saw the whole tree');
    assert.ok((herds[0]?.moved ?? 0) > 0, 'the herd after the restore moved nothing');
    assert.is(herds[1]?.moved, 0, 'the herd before the next checkpoint found strays');
    return left;
  } finally {
    await sc.cleanup();
    rmSync(logDir, { recursive: true, force: true });
  }
}

for (const mode of MODES) {
  test(`${mode}: CRIU config dir unwritable: the herd places the tree, no error`, async () => {
    const left = await restoreWithBrokenDir(mode, 'unwritable');
    assert.is(left, '');
  });

  test(`${mode}: CRIU config dir full: the herd places the tree, no file left`, async () => {
    assert.is(await restoreWithBrokenDir(mode, 'full'), '', 'a CRIU config file was left behind');
  });
}

test.run();
