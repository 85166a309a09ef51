// After a successful `create` (or a detached `run`): the proof record for the container's
// first checkpoint (hooks/herd-proof.ts). crun's create puts the init in the container's
// cgroup in every version (the bug is the restore's), and what the init forks inherits
// its cgroup, so there is nothing to herd.

import { defineHook } from '../src/call/hook.js';
import { recordProof } from './herd-proof.js';

export default defineHook({
  name: 'proof-after-create',
  applies: (ctx) => ctx.settings.herd,
  after(ctx, outcome) {
    // Only crun's state file is read, never `<runtime> state`: a create calls the lower
    // runtime once. After `run` without --detach the container is gone: no record.
    if (outcome.status === 0) recordProof(ctx, undefined, true);
  },
});
