// Before `checkpoint` and `restore`: on a host that does not deliver hardware breakpoints,
// CRIU older than 4.2 hangs in every dump and restore. There the lower runtime gets
// CRIU_FAULT=130, CRIU's own switch to single-step instead (crun passes its environment
// on to `criu swrk`). argv is untouched; a caller's own CRIU_FAULT is kept.
//
// The answer comes from a probe cached per boot under /run/cgherd. Without a cache for
// this boot, this hook probes once itself (one throwaway dump: ~0.07 s on a good host, at
// most PROBE_TIMEOUT_MS more on a bad one) rather than waiting for someone to run
// `cgherd doctor`: after a reboot the first checkpoint would hang otherwise. A CRIU that
// checks breakpoints itself (4.2+) is never probed here.

import { breakpointAnswer } from '../src/criu/breakpoint-check.js';
import {
  CRIU_FAULT,
  NO_BREAKPOINTS_FAULT,
  noBreakpointSwitch,
} from '../src/criu/breakpoint-verdict.js';
import { criuOnPath, predatesBreakpointCheck, versionText } from '../src/criu/criu-binary.js';
import { probeCachePath } from '../src/criu/probe-cache.js';
import { defineHook } from '../src/call/hook.js';

/** A good dump of a `sleep` takes 0.05–0.1 s here; a bad host hangs for good. */
export const PROBE_TIMEOUT_MS = 5000;

export default defineHook({
  name: 'criu-no-breakpoints',
  async before(ctx) {
    // Never a refusal: without the switch the call is what it was before cgherd had one.
    try {
      const callerFault = ctx.childEnv[CRIU_FAULT];
      if (callerFault !== undefined) {
        ctx.debug('the caller set CRIU_FAULT=%s: kept', callerFault);
        return;
      }
      const criu = criuOnPath(ctx.childEnv.PATH);
      if (criu === undefined) {
        ctx.debug('no criu on the lower runtime PATH');
        return;
      }
      const answer = await breakpointAnswer({
        criuPath: criu,
        cachePath: probeCachePath(ctx.env),
        timeoutMs: PROBE_TIMEOUT_MS,
        skipProbe: (v) =>
          predatesBreakpointCheck(v) ? undefined : `CRIU ${versionText(v)} checks breakpoints`,
      });
      ctx.debug('%s: %o', criu, answer);
      if (answer.record === undefined) return;
      const decision = noBreakpointSwitch(answer.record, undefined);
      ctx.debug('%s CRIU_FAULT: %s', decision.add ? 'adding' : 'no', decision.why);
      if (decision.add) return { env: { [CRIU_FAULT]: NO_BREAKPOINTS_FAULT } };
    } catch (error) {
      ctx.debug('%s', error instanceof Error ? error.message : error);
    }
  },
});
