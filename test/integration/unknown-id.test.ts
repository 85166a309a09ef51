// `checkpoint` and `restore` through cgherd for a container that does not exist: the
// lower runtime's own error, its exit code, nothing added by cgherd, and nothing created
// (checkpoint: no state entry, no cgroup in any hierarchy; restore: no more than bare crun
// leaves, and no CRIU config file). Bare crun 1.8.1
// in the same state root is the reference.

import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CGHERD_BIN, MODES, RUNTIMES, inMode, type CgroupMode } from '../lib/bed/bed.js';
import { pathHasSegment, removeCgroupsWhere } from '../lib/cgroups/cgroups.js';
import { cleanupPrefix } from '../lib/bed/cleanup.js';
import { checkpointArgv, restoreArgv } from '../lib/scenario/cr-argv.js';
import { cgroupsWhere } from '../lib/scenario/load.js';
import { Scenario, bare } from '../lib/scenario/scenario.js';

const PREFIX = 'cgt-unknown-id-';
const CRIU_CONFIG_DIR = '/run/cgherd/criu';

test.after(async () => {
  await cleanupPrefix(PREFIX);
});

const criuFiles = (id: string): string[] =>
  existsSync(CRIU_CONFIG_DIR) ? readdirSync(CRIU_CONFIG_DIR).filter((f) => f.includes(id)) : [];

interface Call {
  code: number;
  stderr: string;
}

/** The same argv through bare crun 1.8.1, then through cgherd over it, checking after
 *  each call that nothing was created. */
async function both(
  mode: CgroupMode,
  sc: Scenario,
  id: string,
  args: string[],
): Promise<{ crun: Call; cgherd: Call }> {
  const crun = await inMode(mode, RUNTIMES.crun181, ['--root', sc.root, ...args]);
  nothingCreated(sc, id);
  const cgherd = await inMode(mode, CGHERD_BIN, ['--root', sc.root, ...args], {
    env: { CGHERD_RUNTIME: RUNTIMES.crun181 },
  });
  nothingCreated(sc, id);
  console.log(`    crun: exit ${crun.code}: ${crun.stderr.trim()}`);
  console.log(`    cgherd: exit ${cgherd.code}: ${cgherd.stderr.trim()}`);
  return { crun, cgherd };
}

const named = (id: string): string[] => cgroupsWhere((rel) => pathHasSegment(rel, id));

function nothingCreated(sc: Scenario, id: string): void {
  assert.equal(readdirSync(sc.root), [], 'state entries');
  assert.equal(named(id), [], 'cgroups named after the id');
  assert.equal(criuFiles(id), [], `files in ${CRIU_CONFIG_DIR}`);
}

function sameError(r: { crun: Call; cgherd: Call }): void {
  assert.is.not(r.cgherd.code, 0);
  assert.is(r.cgherd.code, r.crun.code, "the exit code is the lower runtime's");
  assert.ok(r.cgherd.stderr.trim() !== '', 'an error is shown');
  assert.is(r.cgherd.stderr.trim().split('\n').length, 1, 'one error record');
  assert.is(r.cgherd.stderr, r.crun.stderr, 'cgherd adds nothing');
}

for (const mode of MODES) {
  test(`${mode}: checkpoint of an unknown id: crun's error and exit code, nothing created`, async () => {
    const sc = new Scenario(mode, bare(RUNTIMES.crun181, 'crun 1.8.1'), PREFIX);
    try {
      const id = `${PREFIX}${mode}-ck`;
      console.log(`  ${mode} checkpoint ${id}:`);
      const image = sc.path('image');
      mkdirSync(image);
      const r = await both(mode, sc, id, checkpointArgv(id, image, image));
      sameError(r);
      assert.match(r.cgherd.stderr, id);
      assert.equal(readdirSync(image), [], 'nothing in the image dir');
    } finally {
      await sc.cleanup();
    }
  });

  for (const kind of ['missing', 'empty'] as const) {
    test(`${mode}: restore of an id with no checkpoint (${kind} image): error, nothing added`, async () => {
      const sc = new Scenario(mode, bare(RUNTIMES.crun181, 'crun 1.8.1'), PREFIX);
      try {
        const id = `${PREFIX}${mode}-rs-${kind}`;
        const bundle = await sc.bundle('bundle', { tree: 'tree8' });
        const image = sc.path('image');
        if (kind === 'empty') mkdirSync(image);
        const work = sc.path('work');
        mkdirSync(work);
        const argv = ['--root', sc.root, ...restoreArgv(id, bundle, image, work)];
        // crun 1.8.1 itself leaves a state entry after a failed restore: what it leaves is
        // the reference, removed before cgherd's turn; cgherd may leave no more.
        const crun = await inMode(mode, RUNTIMES.crun181, argv);
        const leftByCrun = { state: readdirSync(sc.root), cgroups: named(id) };
        await inMode(mode, RUNTIMES.crun181, ['--root', sc.root, 'delete', '--force', id]);
        await removeCgroupsWhere((rel) => pathHasSegment(rel, id));
        const cgherd = await inMode(mode, CGHERD_BIN, argv, {
          env: { CGHERD_RUNTIME: RUNTIMES.crun181 },
        });
        const leftByCgherd = { state: readdirSync(sc.root), cgroups: named(id) };
        console.log(`  ${mode} restore ${id}, ${kind} image:`);
        console.log(
          `    crun: exit ${crun.code}: ${crun.stderr.trim()}; left ${JSON.stringify(leftByCrun)}`,
        );
        console.log(
          `    cgherd: exit ${cgherd.code}: ${cgherd.stderr.trim()}; left ${JSON.stringify(leftByCgherd)}`,
        );
        sameError({ crun, cgherd });
        assert.equal(leftByCgherd, leftByCrun, 'cgherd leaves what crun leaves, no more');
        assert.equal(criuFiles(id), [], `files in ${CRIU_CONFIG_DIR}`);
      } finally {
        await sc.cleanup();
      }
    });
  }
}

test.run();
