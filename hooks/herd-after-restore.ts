// After a successful `restore`: herd the restored init's tree into the init's cgroup, then
// remove the cgroup CRIU re-created for the dumped path if it did not exist before, is
// empty, and is nobody's. Never turns the restore into a failure: problems become one
// warning.

import { basename } from 'node:path';
import { readFileSync } from 'node:fs';
import { hierarchyName } from '../src/cgroup/hierarchy.js';
import {
  removeStaleCgroups,
  recordMissingCgroups,
  type RecordedPath,
} from '../src/cgroup/stale.js';
import { parseCgroupImage } from '../src/criu/image.js';
import { restoreImagePath } from '../src/criu/restore-args.js';
import { describeStrays, HerdError } from '../src/herd.js';
import { containerInit, herdContainer } from '../src/herd/hook-support.js';
import { readCgroupMounts } from '../src/herd/target.js';
import { NodeHost } from '../src/proc/node-host.js';
import { readCgroups } from '../src/proc/procfs.js';
import type { Hook, HookContext, HookResult } from '../src/runtime/hook.js';

const RECORDED = 'herd-after-restore:missing-cgroups';

function recordBefore(ctx: HookContext): void {
  const image = restoreImagePath(ctx.parsed, process.cwd());
  const io = new NodeHost();
  try {
    const dumped = parseCgroupImage(readFileSync(`${image}/cgroup.img`));
    const own = readCgroups(io, 'self') ?? [];
    const recorded = recordMissingCgroups(io, readCgroupMounts(io), own, dumped);
    ctx.scratch.set(RECORDED, recorded);
    ctx.debug(
      'herd-after-restore: %d dumped cgroup chains missing before restore',
      recorded.length,
    );
  } finally {
    io.close();
  }
}

function removeStale(ctx: HookContext, targets: { hierarchy: string; path: string }[]): void {
  const recorded = ctx.scratch.get(RECORDED) as RecordedPath[] | undefined;
  if (!recorded || recorded.length === 0) return;
  const io = new NodeHost();
  try {
    const protect = new Map<string, string[]>();
    const add = (hierarchy: string, path: string): void => {
      protect.set(hierarchy, [...(protect.get(hierarchy) ?? []), path]);
    };
    for (const t of targets) add(t.hierarchy, t.path);
    for (const line of readCgroups(io, 'self') ?? []) {
      add(hierarchyName(line), line.path);
    }
    const { removed, kept } = removeStaleCgroups(io, recorded, protect);
    ctx.debug('herd-after-restore: removed %o, kept %o', removed, kept);
  } finally {
    io.close();
  }
}

const hook: Hook = {
  name: 'herd-after-restore',
  commands: ['restore'],
  applies: (ctx: HookContext) => ctx.settings.herd && !ctx.parsed.help,
  before(ctx: HookContext): HookResult {
    try {
      recordBefore(ctx);
    } catch (error) {
      // Without the record nothing is removed afterwards; the restore goes ahead.
      ctx.debug(
        'herd-after-restore: no record: %s',
        error instanceof Error ? error.message : error,
      );
    }
    return undefined;
  },
  after(ctx: HookContext, outcome): HookResult {
    if (outcome.status !== 0) return undefined;
    const init = containerInit(ctx);
    if (!init) return undefined;
    let report;
    try {
      report = herdContainer(ctx, init);
    } catch (error) {
      // A restore without --detach returns when the container has exited: nothing to herd.
      if (error instanceof HerdError && error.code === 'ENOINIT') return undefined;
      return {
        warn: `restored, but the herd failed: ${error instanceof Error ? error.message : error}`,
      };
    }
    try {
      removeStale(ctx, report.target);
    } catch (error) {
      ctx.debug(
        'herd-after-restore: stale cgroup removal: %s',
        error instanceof Error ? error.message : error,
      );
    }
    const strays = describeStrays(report);
    if (strays === undefined) return undefined;
    return {
      warn:
        `restored ${basename(ctx.parsed.id ?? '')}, but ${strays}; ` +
        'the next checkpoint will herd again or refuse',
    };
  },
};

export default hook;
