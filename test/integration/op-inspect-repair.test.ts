// inspect and repair on a container broken the way the bug breaks it: bare crun 1.8.1,
// run -> checkpoint -> restore under a new id. Two copies are restored from one image:
// the control copy is checkpointed as it is and must fail (so inspect's "would fail" is
// true), the other is repaired and must then checkpoint. v1 and v2.

import { suite } from 'uvu';
import { before } from '../lib/bed/before.js';
import * as assert from 'uvu/assert';
import {
  CGHERD_BIN,
  MODES,
  RUNTIMES,
  inMode,
  type CgroupMode,
  type RunResult,
} from '../lib/bed/bed.js';
import { TREE8_SIZE } from '../lib/scenario/bundle.js';
import { cleanupPrefix } from '../lib/bed/cleanup.js';
import { Scenario, bare } from '../lib/scenario/scenario.js';

const PREFIX = 'cgt-op-ir-';
const TREE = TREE8_SIZE;

function cgherd(sc: Scenario, args: string[]): Promise<RunResult> {
  return inMode(sc.mode, CGHERD_BIN, [...args, '--root', sc.root], {
    env: { CGHERD_RUNTIME: RUNTIMES.crun181 },
    timeoutMs: 60_000,
  });
}

function ok(r: RunResult, what: string): void {
  assert.is(r.code, 0, `${what} failed (${r.code}): ${r.stderr}${r.stdout}`);
}

interface InspectJson {
  nextCheckpoint: string;
  report: { strays: number[]; members: { pid: number; stray: boolean }[]; moved: unknown[] };
}

for (const mode of MODES as readonly CgroupMode[]) {
  const test = suite(`inspect and repair, crun 1.8.1, ${mode}`);
  const prefix = `${PREFIX}${mode}-`;
  let sc: Scenario;

  before(test, async () => {
    await cleanupPrefix(prefix);
    sc = new Scenario(mode, bare(RUNTIMES.crun181, 'crun 1.8.1'), prefix);
  });
  test.after(async () => {
    try {
      await sc.cleanup();
    } finally {
      await cleanupPrefix(prefix);
    }
  });

  test('a healthy container: inspect says so, repair moves nothing', async () => {
    const id = `${prefix}healthy`;
    ok(await sc.run(id, await sc.bundle('b-healthy', { tree: 'tree8' })), 'run');
    await sc.waitForTree(id, TREE);
    const r = await cgherd(sc, ['inspect', id]);
    ok(r, 'inspect');
    assert.match(r.stdout, /the next checkpoint would succeed/);
    assert.not.match(r.stdout, /STRAY/);
    const j = await cgherd(sc, ['repair', id, '--json']);
    ok(j, 'repair');
    assert.equal((JSON.parse(j.stdout) as InspectJson).report.moved, []);
  });

  test('restored under a new id: inspect finds the 7 strays, repair fixes them, checkpoint works', async () => {
    const a = `${prefix}a`;
    const b = `${prefix}b`;
    const c = `${prefix}c`;
    const image = sc.path('img-a');
    ok(await sc.run(a, await sc.bundle('b-a', { tree: 'tree8' })), 'run');
    await sc.waitForTree(a, TREE);
    ok(await sc.checkpoint(a, image), 'checkpoint a');
    ok(await sc.restore(b, await sc.bundle('b-b', { tree: 'tree8' }), image), 'restore b');
    ok(await sc.restore(c, await sc.bundle('b-c', { tree: 'tree8' }), image), 'restore c');
    for (const id of [b, c]) {
      const p = await sc.placement(id);
      assert.is(p.members.length, TREE, `${id}: ${await sc.describe(id)}`);
      assert.is(p.strays.length, TREE - 1, `${id} is not broken the way the bug breaks it`);
    }

    // Control: inspect's verdict is borne out by a bare checkpoint of the copy c.
    const ic = await cgherd(sc, ['inspect', c]);
    assert.is(ic.code, 1, ic.stderr + ic.stdout);
    assert.match(
      ic.stdout,
      /7 of 8 process\(es\) are outside the init's cgroup: the next checkpoint would fail/,
    );
    assert.is(ic.stdout.match(/<- STRAY/g)?.length, 7, ic.stdout);
    if (process.env.CGT_OP_SHOW) process.stdout.write(`${ic.stdout}\n`);
    const cc = await sc.checkpoint(c, sc.path('img-c'));
    assert.is.not(cc.code, 0, 'control: a bare checkpoint of the unrepaired copy passed');
    assert.match(await sc.dumpLog(sc.path('img-c')), /Unseizable non-zombie/);

    // The same on b, as JSON.
    const ij = await cgherd(sc, ['inspect', b, '--json']);
    assert.is(ij.code, 1, ij.stderr);
    const inspected = JSON.parse(ij.stdout) as InspectJson;
    assert.is(inspected.nextCheckpoint, 'fail');
    assert.is(inspected.report.strays.length, 7);

    const dry = await cgherd(sc, ['repair', b, '--dry-run']);
    assert.is(dry.code, 1, dry.stderr + dry.stdout);
    assert.is(dry.stdout.match(/^would move pid /gm)?.length, 7, dry.stdout);
    assert.is((await sc.placement(b)).strays.length, 7, 'dry run moved something');

    const fix = await cgherd(sc, ['repair', b]);
    ok(fix, 'repair');
    if (process.env.CGT_OP_SHOW) process.stdout.write(`${fix.stdout}\n`);
    assert.is(fix.stdout.match(/^moved pid /gm)?.length, 7, fix.stdout);
    assert.match(fix.stdout, /all 8 process\(es\) are in the init's cgroup/);
    const after = await sc.placement(b);
    assert.is(after.members.length, TREE);
    assert.equal(after.strays, [], await sc.describe(b));

    const again = await cgherd(sc, ['inspect', b]);
    ok(again, 'inspect after repair');
    assert.match(again.stdout, /would succeed/);
    ok(await sc.checkpoint(b, sc.path('img-b')), 'bare checkpoint after repair');
  });

  test.run();
}
