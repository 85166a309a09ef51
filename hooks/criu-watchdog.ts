// Around `checkpoint` and `restore`: CRIU must never hang forever. While the lower runtime
// runs, a watchdog looks at CRIU's log and image files; when nothing has changed for
// criuStallTimeout seconds it SIGKILLs the CRIU below cgherd, the lower runtime fails the
// call, and cgherd's one error record says so with the log's last lines. After a failed
// or stopped checkpoint, a container cgroup that CRIU left frozen is thawed (one that was
// frozen before the checkpoint, by `pause`, stays as it was).

import { isAbsolute, join, resolve } from 'node:path';
import { parseProcCgroup } from '../src/proc/cgroup-file.js';
import { readSmallFile } from '../src/proc/node-host.js';
import { optionValue } from '../src/call/argv.js';
import { defineHook, type HookContext } from '../src/call/hook.js';
import { freezerFile, isFrozen, thawIfFrozen, type FreezerFile } from '../src/watchdog/freezer.js';
import { stallMessage } from '../src/watchdog/report.js';
import { watchCriu, type Watch } from '../src/watchdog/watch.js';
import { containerInit } from './herd-support.js';

interface Watching {
  watch: Watch;
  freezer: FreezerFile | undefined;
  wasFrozen: boolean | undefined;
}

function dirOption(ctx: HookContext, key: string): string | undefined {
  const value = optionValue(ctx.parsed, key);
  if (value === undefined || value === '') return undefined;
  return isAbsolute(value) ? value : resolve(process.cwd(), value);
}

/** The container's freezer control and whether it is frozen now, before CRIU runs. */
function freezerBefore(ctx: HookContext): { freezer?: FreezerFile; wasFrozen?: boolean } {
  const init = containerInit(ctx);
  const mounts = ctx.cgroupMounts();
  if (init === undefined || mounts === undefined) return {};
  const text = readSmallFile(`/proc/${init.pid}/cgroup`);
  const freezer = text === undefined ? undefined : freezerFile(mounts, parseProcCgroup(text));
  return freezer === undefined ? {} : { freezer, wasFrozen: isFrozen(freezer) };
}

export default defineHook<Watching>({
  name: 'criu-watchdog',
  applies: (ctx) => ctx.settings.criuStallTimeout > 0,
  before(ctx) {
    const image = dirOption(ctx, 'image-path');
    const work = dirOption(ctx, 'work-path') ?? image;
    if (image === undefined || work === undefined) {
      // Without the directories there is no progress to see: better no watchdog than one
      // that stops a CRIU at work.
      ctx.debug('no --image-path: not watched');
      return;
    }
    const dirs = [...new Set([work, image])];
    const log = ctx.parsed.command === 'checkpoint' ? 'dump.log' : 'restore.log';
    let frozen: ReturnType<typeof freezerBefore> = {};
    try {
      if (ctx.parsed.command === 'checkpoint') frozen = freezerBefore(ctx);
    } catch (error) {
      // Never a refusal: without the freezer's state the watchdog still works, it only
      // will not thaw.
      ctx.debug('freezer: %s', error instanceof Error ? error.message : error);
    }
    ctx.debug('watching %o, freezer %o', dirs, frozen);
    const watch = watchCriu({
      dirs,
      logs: dirs.map((d) => join(d, log)),
      timeoutMs: ctx.settings.criuStallTimeout * 1000,
      root: process.pid,
    });
    return { carry: { watch, freezer: frozen.freezer, wasFrozen: frozen.wasFrozen } };
  },
  after(ctx, outcome, state) {
    if (state === undefined) return;
    const stall = state.watch.stop();
    const failed = outcome.status !== 0 || stall !== undefined;
    const thawed =
      ctx.parsed.command === 'checkpoint' &&
      failed &&
      state.freezer !== undefined &&
      state.wasFrozen === false &&
      thawIfFrozen(state.freezer);
    ctx.debug('stall %o, thawed %s', stall, thawed);
    const command = ctx.parsed.command ?? 'call';
    if (stall !== undefined) {
      const message = stallMessage(command, stall, ctx.settings.criuStallTimeout, thawed);
      // A lower runtime that still succeeded finished its work: then it is only a warning.
      return outcome.status !== 0 ? { fail: message } : { warn: message };
    }
    if (thawed)
      return { warn: `the failed ${command} left the container frozen; cgherd thawed it` };
  },
});
