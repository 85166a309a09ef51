// After a successful `create` (or a detached `run`): the proof record for the container's
// first checkpoint (hooks/herd-proof.ts). crun's create puts the init in the container's
// cgroup in every version (the bug is the restore's), and what the init forks inherits
// its cgroup, so there is nothing to herd.

import type { Hook } from '../src/runtime/hook.js';
import { recordProof } from './herd-proof.js';
import { containerInit } from './herd-support.js';

const hook: Hook = {
  name: 'proof-after-create',
  applies: (ctx) => ctx.settings.herd,
  after(ctx, outcome) {
    if (outcome.status !== 0) return;
    const init = containerInit(ctx);
    // `run` without --detach returns once the container has exited.
    if (init !== undefined) recordProof(ctx, init, true);
  },
};

export default hook;
