// Before `checkpoint`: put the whole init tree into the init's cgroup, so CRIU's freeze
// reaches every process. This also heals a container restored before cgherd was there.
// If strays remain, refuse: nothing has been frozen, the container keeps running.

import { describeStrays } from '../src/herd/index.js';
import { defineHook } from '../src/call/hook.js';
import { recordProof } from './herd-proof.js';
import { containerInit, herdContainer } from './herd-support.js';

export default defineHook({
  name: 'herd-before-checkpoint',
  applies: (ctx) => ctx.settings.herd,
  before(ctx) {
    const init = containerInit(ctx);
    // Unknown container: the lower runtime gives its own error.
    if (!init) return;
    let report;
    try {
      report = herdContainer(ctx, init, ctx.cgroupMounts());
    } catch (error) {
      ctx.debug('%s', error instanceof Error ? error.message : error);
      recordProof(ctx, init, false);
      return;
    }
    recordProof(ctx, init, report.strays.length === 0);
    const strays = describeStrays(report);
    if (strays === undefined) return;
    return {
      refuse:
        `checkpoint refused: ${strays}; ` +
        'CRIU could not freeze them. The container is still running; see `cgherd inspect`.',
    };
  },
});
