// Around `restore`, only for lower runtimes that let CRIU restore into the cgroup recorded
// in the image (crun <= 1.20): a per-restore CRIU_CONFIG_FILE whose cgroup-root lines
// name the new container's cgroup, so the tree and its cgroup namespace start in the
// right place. The herd after the restore stays the safety net. Why a config file and
// which lines: docs/measured-facts.md.

import { mountedLines } from '../src/cgroup/hierarchy.js';
import { checkCgroupPath } from '../src/cgroup/paths.js';
import { cgroupRootLines } from '../src/criu/config.js';
import { removeRestoreConfig, writeRestoreConfig } from '../src/criu/config-file.js';
import { restoreCgroupRootWanted } from '../src/lower/needs.js';
import { cgroupManager, cgroupsPathFromConfig, crunCgroupfsPath } from '../src/lower/path-rules.js';
import { crunSystemdCgroup, systemdSubgroupAnnotation } from '../src/lower/systemd-cgroup.js';
import { probeRuntimeVersion } from '../src/lower/version.js';
import { defineHook, type HookContext } from '../src/call/hook.js';

type Plan = { skip: string } | { lines: string[] };

/** Where the new container's processes will live, under the manager crun was told to use. */
function newContainerCgroup(ctx: HookContext, id: string): string | { skip: string } {
  const manager = cgroupManager(ctx.parsed.globals);
  const config = ctx.bundleConfig();
  const { hasLinux, cgroupsPath } = cgroupsPathFromConfig(config);
  if (manager === 'cgroupfs') return crunCgroupfsPath(cgroupsPath, id, hasLinux);
  if (manager === 'systemd') {
    // crun <= 1.20 asks systemd for the scope only after CRIU returns. Measured on a
    // systemd host (test/e2e/podman-systemd-*.test.ts): CRIU restoring into the scope's
    // leaf before the scope exists is what systemd and crun then adopt, and it roots the
    // restored cgroup namespace there; without it the next dump fails "... is not a
    // suffix of ...".
    const cgroup = crunSystemdCgroup(cgroupsPath, systemdSubgroupAnnotation(config));
    return 'error' in cgroup ? { skip: cgroup.error } : cgroup.leafPath;
  }
  return { skip: `cgroup manager ${manager}: no cgroup to restore into` };
}

/** The new container's cgroup, and the CRIU lines that restore into it. */
function planRestoreConfig(ctx: HookContext): Plan {
  const id = ctx.parsed.id;
  if (id === undefined) return { skip: 'no container id' };
  const path = newContainerCgroup(ctx, id);
  if (typeof path !== 'string') return path;
  if (path === '/') return { skip: 'the container has no cgroup of its own' };
  const bad = checkCgroupPath(path);
  if (bad) return { skip: bad };
  const mounts = ctx.cgroupMounts();
  if (mounts === undefined) return { skip: 'cannot read /proc/self/mountinfo' };
  const { mounted } = mountedLines(mounts, ctx.ownCgroups() ?? []);
  const lines = cgroupRootLines(
    mounted.map((m) => m.hierarchy),
    path,
  );
  return 'error' in lines ? { skip: lines.error } : { lines };
}

/** Carries the written file's path, for `after` to remove. */
export default defineHook<string>({
  name: 'restore-into-cgroup',
  before(ctx) {
    try {
      const wanted = restoreCgroupRootWanted(
        () => probeRuntimeVersion(ctx.settings.lowerRuntime),
        ctx.settings.restoreCgroupRoot,
      );
      if (!wanted) return;
      const plan = planRestoreConfig(ctx);
      if ('skip' in plan) {
        ctx.debug('skipped: %s', plan.skip);
        return;
      }
      const file = writeRestoreConfig(
        ctx.criuConfigDir,
        ctx.parsed.id as string,
        plan.lines,
        ctx.env.CRIU_CONFIG_FILE,
      );
      ctx.debug('%s: %o', file, plan.lines);
      return { carry: file, env: { CRIU_CONFIG_FILE: file } };
    } catch (error) {
      // The restore still works without it; the herd afterwards places the processes.
      ctx.debug('%s', error instanceof Error ? error.message : error);
      return;
    }
  },
  after(_ctx, _outcome, file) {
    if (file !== undefined) removeRestoreConfig(file);
  },
});
