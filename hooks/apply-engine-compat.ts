// Before `checkpoint` and `restore`, after every other hook but the signal hold: the two
// rows containerd's runc shim needs (engine-compat.ts). The hooks before this one see the
// argv as received; the lower runtime gets it less the entries row 2 drops, with row 1's
// work directory made.

import { defineHook } from '../src/call/hook.js';
import { engineCompat } from './engine-compat.js';
import { createMissingDirs } from './engine-dirs.js';

export default defineHook({
  name: 'apply-engine-compat',
  before(ctx) {
    const compat = engineCompat(ctx.argv, ctx.parsed, ctx.settings.lowerRuntime);
    const unmade = createMissingDirs(compat.mkdirs);
    if (unmade.length > 0) ctx.debug('could not create %o', unmade);
    return compat.argv === ctx.argv ? undefined : { argv: compat.argv };
  },
});
