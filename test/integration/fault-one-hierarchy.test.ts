// One hierarchy refuses the move: the container's cgroup.procs made read-only in one
// hierarchy (v1: memory; v2: the only one), in the checkpoint call's private mount
// namespace, so every write there fails with EROFS (root passes permission checks, so a
// read-only bind is how a test gets a write refused; EPERM takes the same path in the
// herd). Strays from a bare crun 1.8.1 restore under a new id. Through cgherd the
// checkpoint is refused, naming the hierarchy and the errno; the container keeps running,
// thawed; a bystander is untouched; the next checkpoint, without the fault, heals and passes.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CGHERD_BIN, MODES, RUNTIMES, inMode, type CgroupMode } from '../lib/bed/bed.js';
import { TREE8_SIZE } from '../lib/scenario/bundle.js';
import { cleanupPrefix } from '../lib/bed/cleanup.js';
import { checkpointArgv } from '../lib/scenario/cr-argv.js';
import {
  assertBystandersUntouched,
  frozenWithPrefix,
  startBystanders,
  stopBystanders,
} from '../lib/scenario/fault.js';
import { readCgroups } from '../lib/cgroups/cgroups.js';
import { Scenario, bare, viaCgherd } from '../lib/scenario/scenario.js';
import { mkdirSync } from 'node:fs';

const PREFIX = 'cgt-fault-hier-';
const HIERARCHY: Record<CgroupMode, { mount: string; key: string }> = {
  v1: { mount: '/sys/fs/cgroup/memory', key: 'memory' },
  v2: { mount: '/sys/fs/cgroup', key: 'unified' },
};

test.after(async () => {
  await cleanupPrefix(PREFIX);
});

for (const mode of MODES) {
  test(`${mode}: ${HIERARCHY[mode].key} refuses the move: checkpoint refused, precise, running, thawed`, async () => {
    const sc = new Scenario(mode, bare(RUNTIMES.crun181, 'crun 1.8.1'), PREFIX);
    const bystanders = await startBystanders(sc, `${PREFIX}${mode}by`);
    try {
      const a = `${PREFIX}${mode}a`;
      const b = `${PREFIX}${mode}b`;
      assert.is((await sc.run(a, await sc.bundle('a', { tree: 'tree8' }))).code, 0);
      await sc.waitForTree(a, TREE8_SIZE);
      assert.is((await sc.checkpoint(a, sc.path('img1'))).code, 0);
      assert.is(
        (await sc.restore(b, await sc.bundle('b', { tree: 'tree8' }), sc.path('img1'))).code,
        0,
      );
      const before = await sc.waitForTree(b, TREE8_SIZE);
      assert.ok(before.strays.length > 0, 'control: bare crun 1.8.1 leaves strays');
      const cgroup = readCgroups(before.init, mode)?.get(HIERARCHY[mode].key) ?? '';
      const procs = `${HIERARCHY[mode].mount}${cgroup}/cgroup.procs`;
      const image = sc.path('img2');
      mkdirSync(image, { recursive: true });
      const ro = `mount --bind ${procs} ${procs} && mount -o remount,bind,ro ${procs} || exit 99; `;
      const r = await inMode(
        mode,
        '/bin/sh',
        [
          '-c',
          `${ro}exec "$0" "$@"`,
          CGHERD_BIN,
          '--root',
          sc.root,
          ...checkpointArgv(b, image, image),
        ],
        { env: { CGHERD_RUNTIME: RUNTIMES.crun181 } },
      );
      const after = await sc.placement(b);
      const inOther =
        mode === 'v1'
          ? after.members.every((pid) => readCgroups(pid, mode)?.get('freezer') === cgroup)
          : undefined;
      console.log(
        `  ${mode}: exit ${r.code} "${r.stderr.trim().slice(0, 240)}"; ` +
          `${after.members.length} running, strays after ${after.strays.length}` +
          `${inOther === undefined ? '' : `, all in place in freezer: ${inOther}`}`,
      );
      assert.is.not(r.code, 99, 'the read-only bind failed');
      assert.is(r.code, 1);
      assert.match(r.stderr, /checkpoint refused/);
      assert.match(r.stderr, 'EROFS');
      assert.match(r.stderr, HIERARCHY[mode].key);
      assert.is(r.stderr.trim().split('\n').length, 1, 'one error record');
      assert.equal(after.members, before.members, 'the container keeps running, whole');
      assert.equal(frozenWithPrefix(PREFIX), [], 'nothing frozen');
      assertBystandersUntouched(bystanders);
      // Without the fault, the next checkpoint through cgherd heals and passes.
      const healed = await sc
        .through(viaCgherd(RUNTIMES.crun181, 'cgherd'))
        .checkpoint(b, sc.path('img3'));
      assert.is(healed.code, 0, `checkpoint without the fault: ${healed.stderr}`);
    } finally {
      stopBystanders(bystanders);
      await sc.cleanup();
    }
  });
}

test.run();
