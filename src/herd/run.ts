// The herd itself: walks of the init's tree (herder.ts) until one finds no stray, each
// followed by a cheap verification and a ppid scan of the cgroups where the tree's
// processes can be (scan.ts) to catch what the children files missed; then the report.

import type { HostIO } from '../proc/host.js';
import { NodeHost } from '../proc/node-host.js';
import { readStat } from '../proc/procfs.js';
import { isGone } from '../proc/stat.js';
import { Herder } from './herder.js';
import { strayTargets, type LiveMember, type Root } from './members.js';
import { confirmTree, scanHierarchy } from './scan.js';
import { herdMounts, resolveTargets } from './target.js';
import {
  HerdError,
  type HerdMember,
  type HerdOptions,
  type HerdReport,
  type HerdScan,
  type HerdTarget,
} from './types.js';

export const DEFAULT_MAX_PASSES = 8;
export const DEFAULT_TIME_LIMIT_MS = 5000;

function describe(
  members: ReadonlyMap<number, LiveMember>,
  targets: readonly HerdTarget[],
): { list: HerdMember[]; strays: number[] } {
  const list: HerdMember[] = [];
  const strays: number[] = [];
  for (const [pid, member] of members) {
    const stray = !isGone(member.stat) && strayTargets(member.cgroups, targets).length > 0;
    if (stray) strays.push(pid);
    list.push({
      pid,
      ppid: member.stat.ppid,
      comm: member.stat.comm,
      cgroups: member.cgroups,
      stray,
      state: member.stat.state,
    });
  }
  return { list, strays };
}

/** Moves the init's whole tree into the container's cgroup (every mounted hierarchy). */
export function herd(
  initPid: number,
  opts: HerdOptions = {},
  io: HostIO = new NodeHost(),
): HerdReport {
  const started = io.now();
  const dryRun = opts.dryRun ?? false;
  const maxPasses = Math.max(1, opts.maxPasses ?? DEFAULT_MAX_PASSES);
  const deadline = started + (opts.timeLimitMs ?? DEFAULT_TIME_LIMIT_MS);
  try {
    const initStat = readStat(io, initPid);
    if (!initStat || isGone(initStat)) {
      throw new HerdError('ENOINIT', `container init ${initPid} is not running`);
    }
    if (opts.initStartTime !== undefined && opts.initStartTime !== initStat.startTime) {
      throw new HerdError('ENOINIT', `pid ${initPid} is no longer the container's init`);
    }
    const mounts = opts.mounts ?? herdMounts(io);
    const { targets, failures: targetFailures } = resolveTargets(
      io,
      mounts,
      initPid,
      opts.containerCgroup,
    );
    const scanning = opts.ppidScan ?? true;
    const scanTarget = scanning ? scanHierarchy(targets) : undefined;
    const herder = new Herder(io, targets, {
      dryRun,
      deadline,
      exact: (opts.origins ?? false) || dryRun,
      scanTarget,
      mounts,
    });
    herder.failures.push(...targetFailures);
    const allRoots: Root[] = [{ pid: initPid, startTime: initStat.startTime }];
    const foundByScan: number[] = [];
    let members = new Map<number, LiveMember>();
    let roots: Root[] = allRoots;
    const scan: HerdScan | undefined = scanning
      ? { scope: 'cgroups', scans: 0, statReads: 0 }
      : undefined;
    let scanAgain = scanning;
    let passes = 0;
    for (;;) {
      passes++;
      herder.walk(roots, members);
      if (herder.outOfTime) break;
      // A walk that met no stray found every member in place in its own listing of the
      // target: that listing is the verification.
      const fixable = dryRun || !herder.foundStray ? [] : herder.verify(members);
      if (fixable.length === 0) {
        if (!scan || !scanAgain) break;
        // The tree looks settled: confirm it against the ppid of every process that can
        // be a descendant.
        const missed = confirmTree(
          io,
          members,
          { target: scanTarget, mounts, origins: herder.strayOrigins },
          scan,
        );
        if (missed.length === 0) break;
        // What it found is walked (always); the strays among them may have come from a
        // cgroup not listed yet: scan once more after, within the caps.
        scanAgain = passes + 1 < maxPasses && io.now() <= deadline;
        for (const m of missed) if (!foundByScan.includes(m.pid)) foundByScan.push(m.pid);
        allRoots.push(...missed);
        roots = missed;
        continue;
      }
      if (passes >= maxPasses || herder.outOfTime || io.now() > deadline) break;
      // Something is still out (a fork raced the move): walk the whole tree again.
      members = new Map();
      roots = allRoots;
    }
    const { list, strays } = describe(members, targets);
    if (herder.outOfTime) strays.push(...herder.unreachedStrays(members));
    return {
      initPid,
      target: targets,
      members: list,
      moved: herder.moved,
      failures: herder.failures,
      skipped: herder.skipped,
      passes,
      converged: strays.length === 0 && targets.length > 0 && !herder.outOfTime,
      strays,
      foundByPpidScan: foundByScan,
      ...(scan ? { scan } : {}),
      dryRun,
      durationMs: io.now() - started,
    };
  } finally {
    io.close();
  }
}
