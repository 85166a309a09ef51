// The I/O half of doctor's breakpoint finding: this boot's cached probe, else a new one
// (with a longer timeout than the runtime face's: a person is waiting, not an engine).

import { breakpointAnswer } from '../../criu/breakpoint-check.js';
import { probeCachePath } from '../../criu/probe-cache.js';
import type { BreakpointFacts } from './breakpoints.js';

const DOCTOR_PROBE_TIMEOUT_MS = 10_000;

export async function probeBreakpointFacts(
  criuPath: string | undefined,
  env: Readonly<NodeJS.ProcessEnv>,
): Promise<BreakpointFacts> {
  if (criuPath === undefined) return { criuPath, answer: undefined };
  const answer = await breakpointAnswer({
    criuPath,
    cachePath: probeCachePath(env),
    timeoutMs: DOCTOR_PROBE_TIMEOUT_MS,
  });
  return { criuPath, answer };
}
