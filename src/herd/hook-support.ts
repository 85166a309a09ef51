// What the herd hooks share: find the container's init, herd it, say what went wrong.

import { findContainerInit, type ContainerInit } from '../container/init.js';
import type { HookContext } from '../runtime/hook.js';
import { containerOptions, herd } from '../herd.js';
import type { HerdReport } from './types.js';

export function containerInit(ctx: HookContext): ContainerInit | undefined {
  const id = ctx.parsed.id;
  if (id === undefined) return undefined;
  try {
    return findContainerInit(ctx.settings.runtime, ctx.parsed.globals.root, id, ctx.env);
  } catch (error) {
    ctx.debug('herd: no init for %s: %s', id, error instanceof Error ? error.message : error);
    return undefined;
  }
}

export function herdContainer(ctx: HookContext, init: ContainerInit): HerdReport {
  const report = herd(init.pid, containerOptions(init));
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
