// Last before a `restore` is forwarded: hold the signals that would kill crun or cgherd
// half-way (restore-signals.ts), from just before the lower runtime is spawned until
// cgherd exits. forward() asks the hold whether to relay each arrival.

import { defineHook } from '../src/call/hook.js';
import { holdRestoreSignals, type RestoreSignalHold } from './restore-signals.js';

export default defineHook<RestoreSignalHold>({
  name: 'hold-signals',
  before(ctx) {
    const hold = holdRestoreSignals((signal, relayed) =>
      ctx.debug(
        '%s %s',
        signal,
        relayed ? 'relayed to the lower runtime if it still runs' : 'held',
      ),
    );
    return { carry: hold, relays: hold.relays };
  },
  // First after: the listeners stay until cgherd exits; the other after-hooks run held.
  after(ctx, _outcome, hold) {
    if (hold) ctx.debug('lower runtime exited; signals that arrived: %o', hold.arrived);
  },
});
