// Before `checkpoint`: put the whole init tree into the init's cgroup, so CRIU's freeze
// reaches every process. This also heals a container restored before cgherd was there.
// If strays remain, refuse: nothing has been frozen, the container keeps running.

import { describeStrays } from '../src/herd.js';
import { containerInit, herdContainer } from '../src/herd/hook-support.js';
import type { Hook, HookContext, HookResult } from '../src/runtime/hook.js';

const hook: Hook = {
  name: 'herd-before-checkpoint',
  commands: ['checkpoint'],
  applies: (ctx: HookContext) => ctx.settings.herd && !ctx.parsed.help,
  before(ctx: HookContext): HookResult {
    const init = containerInit(ctx);
    // Unknown container: the lower runtime gives its own error.
    if (!init) return undefined;
    let report;
    try {
      report = herdContainer(ctx, init);
    } catch (error) {
      ctx.debug('herd-before-checkpoint: %s', error instanceof Error ? error.message : error);
      return undefined;
    }
    const strays = describeStrays(report);
    if (strays === undefined) return undefined;
    return {
      refuse:
        `checkpoint refused: ${strays}; ` +
        'CRIU could not freeze them. The container is still running; see `cgherd inspect`.',
    };
  },
};

export default hook;
