// The broken placement that the herd exists for, made on purpose: tree8 run, checkpointed
// and restored under a new id by the scenario's (bare, buggy) runtime. Each caller asserts
// the strays it expects, as its own control.

import * as assert from 'uvu/assert';
import { TREE8_SIZE } from '../scenario/bundle.js';
import type { Placement, Scenario } from '../scenario/scenario.js';

let serial = 0;

export interface BrokenRestore {
  /** The restored container's id. */
  id: string;
  /** Where its tree is right after the restore. */
  placement: Placement;
}

/** `opts.deleteOriginal`: remove the checkpointed original before the restore. */
export async function brokenRestore(
  sc: Scenario,
  opts: { deleteOriginal?: boolean } = {},
): Promise<BrokenRestore> {
  const n = serial++;
  const first = `${sc.prefix}${n}a`;
  const second = `${sc.prefix}${n}b`;
  assert.is((await sc.run(first, await sc.bundle(`b${n}a`, { tree: 'tree8' }))).code, 0);
  await sc.waitForTree(first, TREE8_SIZE);
  const image = sc.path(`img${n}`);
  assert.is((await sc.checkpoint(first, image)).code, 0);
  if (opts.deleteOriginal) await sc.delete(first, true);
  const restore = await sc.restore(second, await sc.bundle(`b${n}b`, { tree: 'tree8' }), image);
  assert.is(restore.code, 0, restore.stderr);
  return { id: second, placement: await sc.waitForTree(second, TREE8_SIZE) };
}
