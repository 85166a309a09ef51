// What the two herd hooks share: find the container's init in the lower runtime's state,
// herd its tree, and log what the herd did.

import { containerHerdOptions, herd, type HerdReport } from '../src/herd/index.js';
import { readContainerState, type ContainerState } from '../src/lower/state.js';
import type { CgroupMount } from '../src/proc/mountinfo.js';
import type { HookContext } from '../src/call/hook.js';

/** The container's init, or undefined (debug-logged) when the lower runtime knows none. */
export function containerInit(ctx: HookContext): ContainerState | undefined {
  const id = ctx.parsed.id;
  if (id === undefined) return undefined;
  try {
    return readContainerState(
      { path: ctx.settings.lowerRuntime, root: ctx.parsed.globals.root },
      id,
      { env: ctx.env },
    );
  } catch (error) {
    ctx.debug('no init for %s: %s', id, error instanceof Error ? error.message : error);
    return undefined;
  }
}

export function herdContainer(
  ctx: HookContext,
  init: ContainerState,
  mounts?: readonly CgroupMount[],
): HerdReport {
  const report = herd(init.pid, { ...containerHerdOptions(init), ...(mounts ? { mounts } : {}) });
  ctx.debug(
    'herd %s: init %d, %d members, %d moved, %d failures, %d strays, %d passes, scan %s, %s ms',
    ctx.parsed.id,
    report.initPid,
    report.members.length,
    report.moved.length,
    report.failures.length,
    report.strays.length,
    report.passes,
    report.scan
      ? `${report.scan.scope} (${report.scan.statReads} stat reads${report.scan.fallback ? `; ${report.scan.fallback}` : ''})`
      : 'off',
    report.durationMs.toFixed(1),
  );
  return report;
}
