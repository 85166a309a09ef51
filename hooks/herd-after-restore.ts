// After a successful `restore`: herd the restored init's tree into the init's cgroup, then
// remove the cgroup CRIU re-created for the dumped path if it did not exist before, is
// empty, and is nobody's. Never turns the restore into a failure: problems become one
// warning.
//
// before: record which of the image's cgroups do not exist yet (CRIU will create them);
// after:  herd, then remove those of them that are stale; carry the record between.

import { basename } from 'node:path';
import { readFileSync } from 'node:fs';
import { hierarchyName } from '../src/cgroup/hierarchy.js';
import {
  removeStaleCgroups,
  recordMissingCgroups,
  type RecordedPath,
} from '../src/cgroup/stale.js';
import { systemdOwner } from '../src/cgroup/systemd-owner.js';
import { parseCgroupImage } from '../src/criu/image.js';
import { describeStrays, HerdError, type HerdTarget } from '../src/herd/index.js';
import { restoreImagePath } from '../src/lower/path-rules.js';
import { NodeHost } from '../src/proc/node-host.js';
import { restoreLocation } from '../src/call/argv.js';
import { defineHook, type HookContext } from '../src/call/hook.js';
import { recordProof } from './herd-proof.js';
import { containerInit, herdContainer } from './herd-support.js';

/** The image's cgroups that do not exist yet: the ones the restore will create. */
function missingCgroups(ctx: HookContext): RecordedPath[] {
  const image = restoreImagePath(restoreLocation(ctx.parsed), process.cwd());
  const dumped = parseCgroupImage(readFileSync(`${image}/cgroup.img`));
  const mounts = ctx.cgroupMounts();
  if (mounts === undefined) throw new Error('cannot read /proc/self/mountinfo');
  const io = new NodeHost();
  try {
    return recordMissingCgroups(io, mounts, ctx.ownCgroups() ?? [], dumped);
  } finally {
    io.close();
  }
}

/** Removes the recorded cgroups that are empty now, never the container's or cgherd's. */
function removeStale(ctx: HookContext, recorded: RecordedPath[], targets: HerdTarget[]): void {
  const protect = new Map<string, string[]>();
  const add = (hierarchy: string, path: string): void => {
    protect.set(hierarchy, [...(protect.get(hierarchy) ?? []), path]);
  };
  for (const t of targets) add(t.hierarchy, t.path);
  for (const line of ctx.ownCgroups() ?? []) add(hierarchyName(line), line.path);
  const io = new NodeHost();
  try {
    // Under systemd, a directory that is a loaded unit's cgroup is systemd's to remove.
    const { removed, kept } = removeStaleCgroups(io, recorded, protect, systemdOwner());
    ctx.debug('removed %o, kept %o', removed, kept);
  } finally {
    io.close();
  }
}

export default defineHook<RecordedPath[]>({
  name: 'herd-after-restore',
  applies: (ctx) => ctx.settings.herd,
  before(ctx) {
    try {
      const recorded = missingCgroups(ctx);
      ctx.debug('%d dumped cgroup chains missing before restore', recorded.length);
      return { carry: recorded };
    } catch (error) {
      // Without the record nothing is removed afterwards; the restore goes ahead.
      ctx.debug('no record: %s', error instanceof Error ? error.message : error);
      return;
    }
  },
  after(ctx, outcome, recorded) {
    if (outcome.status !== 0) return;
    const init = containerInit(ctx);
    if (!init) return;
    let report;
    try {
      report = herdContainer(ctx, init, ctx.cgroupMounts());
    } catch (error) {
      // A restore without --detach returns when the container has exited: nothing to herd.
      if (error instanceof HerdError && error.code === 'ENOINIT') return;
      return {
        warn: `restored, but the herd failed: ${error instanceof Error ? error.message : error}`,
      };
    }
    recordProof(ctx, init, report.strays.length === 0);
    if (recorded && recorded.length > 0) {
      try {
        removeStale(ctx, recorded, report.target);
      } catch (error) {
        ctx.debug('stale cgroup removal: %s', error instanceof Error ? error.message : error);
      }
    }
    const strays = describeStrays(report);
    if (strays === undefined) return;
    return {
      warn:
        `restored ${basename(ctx.parsed.id ?? '')}, but ${strays}; ` +
        'the next checkpoint will herd again or refuse',
    };
  },
});
