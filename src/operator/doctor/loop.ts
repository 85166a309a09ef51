// `cgherd doctor`'s loop check: is the lower runtime cgherd itself (the same file, a
// symlink to it) or a wrapper that runs it? Every runtime command then fails
// (src/lower/loop-guard.ts); doctor says why before Podman does.

import { execaSync } from 'execa';
import { LOOP_GUARD_VARIABLE, loopProblem } from '../../lower/loop-guard.js';
import type { Finding } from './facts.js';

/** The loop, or undefined. `launcher` is this installation's bin/cgherd. */
export function probeLoop(lower: string | undefined, launcher: string): string | undefined {
  if (lower === undefined) return undefined;
  const same = loopProblem(lower, [launcher]);
  if (same !== undefined) return same;
  // A wrapper: run it as cgherd would, marked; a cgherd behind it refuses and says so.
  const r = execaSync(lower, ['--version'], {
    reject: false,
    stdin: 'ignore',
    timeout: 20_000,
    env: { [LOOP_GUARD_VARIABLE]: launcher },
  });
  if (/started by its own lower runtime/.test(String(r.stderr ?? ''))) {
    return `the lower runtime ${lower} runs cgherd again (a wrapper script?): set "runtime" in /etc/cgherd/config.json to the real crun or runc`;
  }
  return undefined;
}

export function loopFindings(problem: string | undefined): Finding[] {
  if (problem === undefined) return [];
  return [
    {
      id: 'runtime-loop',
      severity: 'error',
      summary: problem,
      advice: 'every runtime command fails with this error until the lower runtime is crun or runc',
    },
  ];
}
