// Before create, run and restore: check the OCI config the lower runtime is about to read
// against the runtime-spec schemas. enforce refuses (the lower runtime is never called),
// warn writes one record to the debug log and goes on, off does nothing.
//
// The validator is imported only when it is about to run, so `off` costs nothing beyond
// this small file. checkOciConfigFile runs the small pass/fail validator and loads the
// full one (about 200 kB of generated code) only to describe a config it refuses.

import { defineHook } from '../src/call/hook.js';

export default defineHook({
  name: 'validate-config',
  applies: (ctx) => ctx.settings.validate !== 'off',
  async before(ctx) {
    const file = ctx.ociConfigPath();
    const { checkOciConfigFile } = await import('../src/validate/oci-config.js');
    const outcome = checkOciConfigFile(file, () => ctx.ociConfigText());
    if (outcome.ok) {
      ctx.debug('%s is valid', file);
      return;
    }
    const { oneLineRefusal } = await import('../src/validate/report.js');
    const message = oneLineRefusal(outcome);
    if (ctx.settings.validate === 'enforce') return { refuse: message };
    ctx.debug('warning (mode warn, forwarding anyway): %s', message);
    return;
  },
});
