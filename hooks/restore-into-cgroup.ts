// Around `restore`, only for lower runtimes that let CRIU restore into the cgroup recorded
// in the image (crun <= 1.20): a per-restore CRIU_CONFIG_FILE whose cgroup-root lines
// name the new container's cgroup, so the tree and its cgroup namespace start in the
// right place. The herd after the restore stays the safety net.

import { restoreCgroupRootWanted } from '../src/criu/needs.js';
import {
  planRestoreConfig,
  removeRestoreConfig,
  writeRestoreConfig,
} from '../src/criu/restore-config.js';
import { probeRuntimeVersion } from '../src/criu/version.js';
import type { Hook, HookContext, HookResult } from '../src/runtime/hook.js';

const FILE = 'restore-into-cgroup:file';

const hook: Hook = {
  name: 'restore-into-cgroup',
  commands: ['restore'],
  applies: (ctx: HookContext) => !ctx.parsed.help,
  before(ctx: HookContext): HookResult {
    try {
      const wanted = restoreCgroupRootWanted(
        () => probeRuntimeVersion(ctx.settings.runtime),
        ctx.settings.restoreCgroupRoot,
      );
      if (!wanted) {
        return undefined;
      }
      const plan = planRestoreConfig(ctx.parsed, process.cwd());
      if ('skip' in plan) {
        ctx.debug('restore-into-cgroup: skipped: %s', plan.skip);
        return undefined;
      }
      const file = writeRestoreConfig(
        ctx.parsed.id as string,
        plan.lines,
        ctx.env.CRIU_CONFIG_FILE,
      );
      ctx.scratch.set(FILE, file);
      ctx.childEnv.CRIU_CONFIG_FILE = file;
      ctx.debug('restore-into-cgroup: %s: %o', file, plan.lines);
    } catch (error) {
      // The restore still works without it; the herd afterwards places the processes.
      ctx.debug('restore-into-cgroup: %s', error instanceof Error ? error.message : error);
    }
    return undefined;
  },
  after(ctx: HookContext): HookResult {
    const file = ctx.scratch.get(FILE);
    if (typeof file === 'string') removeRestoreConfig(file);
    return undefined;
  },
};

export default hook;
