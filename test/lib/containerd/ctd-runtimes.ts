// The runtimes the containerd tests and the bench register with `ctr run --runc-binary`.

import { writeFileSync } from 'node:fs';
import { CGHERD_BIN, RUNTIMES } from '../bed/bed.js';
import type { ContainerdBed } from './containerd.js';
import type { CtdRuntime } from './ctd-wrapper.js';
import type { CtdCycleResult } from './ctd-cycle.js';

export const CTD_RUNTIMES = {
  crun181: { label: 'crun 1.8.1', exec: RUNTIMES.crun181, env: {} },
  crun121: { label: 'crun 1.21', exec: RUNTIMES.crun121, env: {} },
  runc: { label: 'runc 1.1.5', exec: RUNTIMES.runc, env: {} },
  cgherd181: {
    label: 'cgherd over crun 1.8.1',
    exec: CGHERD_BIN,
    env: { CGHERD_RUNTIME: RUNTIMES.crun181 },
  },
  cgherd121: {
    label: 'cgherd over crun 1.21',
    exec: CGHERD_BIN,
    env: { CGHERD_RUNTIME: RUNTIMES.crun121 },
  },
} as const satisfies Record<string, CtdRuntime>;

/** cgherd over crun 1.8.1 with only the engine rows: no herd, no restore cgroup root. The
 *  control that shows what the herd adds when the restore lands in a new cgroup. */
export function rowsOnly181(bed: ContainerdBed): CtdRuntime {
  const file = bed.scratch('rows-only.json');
  writeFileSync(
    file,
    JSON.stringify({ runtime: RUNTIMES.crun181, herd: false, restoreCgroupRoot: 'never' }),
  );
  return {
    label: 'cgherd over crun 1.8.1, rows only (herd off, no restore root)',
    exec: CGHERD_BIN,
    env: { CGHERD_CONFIG: file },
  };
}

/** One line for the results table: "pass (3 rounds)" or where and why it failed. */
export function cycleSummary(result: CtdCycleResult, rounds: number): string {
  if (result.passed) return `pass (${rounds} rounds)`;
  return `FAIL: ${result.problems.join('; then ')}`;
}
