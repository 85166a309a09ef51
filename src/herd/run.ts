// The herd itself: walk, move strays, repeat until a pass moves nothing, confirm the tree
// with one ppid scan, verify. Everything goes through a HostIO.

import type { HostIO } from '../proc/host.js';
import { readStat, selfAndAncestors } from '../proc/procfs.js';
import { isGone } from '../proc/stat.js';
import { hierarchyIndex, ppidScan, walkMembers, type LiveMember, type Root } from './members.js';
import { readCgroupMounts, resolveTargets } from './target.js';
import {
  HerdError,
  type HerdFailure,
  type HerdMember,
  type HerdMove,
  type HerdOptions,
  type HerdReport,
  type HerdSkip,
  type HerdTarget,
} from './types.js';

export const DEFAULT_MAX_PASSES = 8;
export const DEFAULT_TIME_LIMIT_MS = 5000;

interface PassResult {
  /** Writes attempted (dry run: that would be attempted). */
  attempts: number;
}

function strayHierarchies(member: LiveMember, targets: readonly HerdTarget[]): HerdTarget[] {
  return targets.filter((t) => {
    const current = member.cgroups[t.hierarchy];
    return current !== undefined && current !== t.path;
  });
}

function isStray(member: LiveMember, targets: readonly HerdTarget[]): boolean {
  return !isGone(member.stat) && strayHierarchies(member, targets).length > 0;
}

class Herder {
  readonly moved: HerdMove[] = [];
  readonly failures: HerdFailure[] = [];
  readonly skipped: HerdSkip[] = [];
  private readonly failed = new Set<string>();
  private readonly caller: Set<number>;
  private readonly index: Map<string, string>;

  constructor(
    private readonly io: HostIO,
    private readonly initPid: number,
    private readonly targets: readonly HerdTarget[],
    private readonly dryRun: boolean,
  ) {
    this.caller = selfAndAncestors(io, io.selfPid);
    this.index = hierarchyIndex(targets);
  }

  walk(roots: readonly Root[]): Map<number, LiveMember> {
    return walkMembers(this.io, roots, this.index, this.skipped);
  }

  private fail(failure: HerdFailure): void {
    const key = `${failure.pid}:${failure.hierarchy}`;
    if (this.failed.has(key)) return;
    this.failed.add(key);
    this.failures.push(failure);
  }

  pass(members: ReadonlyMap<number, LiveMember>): PassResult {
    let attempts = 0;
    for (const [pid, member] of members) {
      if (pid === this.initPid) continue;
      if (isGone(member.stat)) continue;
      let checked = false;
      for (const target of strayHierarchies(member, this.targets)) {
        if (this.failed.has(`${pid}:${target.hierarchy}`)) continue;
        const from = member.cgroups[target.hierarchy] as string;
        if (this.caller.has(pid)) {
          this.fail({
            pid,
            hierarchy: target.hierarchy,
            path: target.dir,
            code: 'ECALLER',
            message: `pid ${pid} is cgherd or one of its callers; it is never moved`,
          });
          continue;
        }
        attempts++;
        if (this.dryRun) {
          this.moved.push({ pid, hierarchy: target.hierarchy, from, to: target.path });
          continue;
        }
        if (!checked) {
          // Identity again right before the first write: still the same process? Its
          // other hierarchies follow within microseconds.
          const now = readStat(this.io, pid);
          if (!now) {
            this.skipped.push({ pid, reason: 'exited' });
            break;
          }
          if (now.startTime !== member.stat.startTime) {
            this.skipped.push({ pid, reason: 'pid-reused' });
            break;
          }
          checked = true;
        }
        const error = this.io.writePid(`${target.dir}/cgroup.procs`, pid);
        if (!error) {
          this.moved.push({ pid, hierarchy: target.hierarchy, from, to: target.path });
        } else if (error.code === 'ESRCH') {
          this.skipped.push({ pid, reason: 'exited' });
          break;
        } else {
          this.fail({
            pid,
            hierarchy: target.hierarchy,
            path: target.dir,
            code: error.code,
            message: `cannot move pid ${pid} (${member.stat.comm}) from ${from} to ${target.dir}: ${error.code} (${error.message})`,
          });
        }
      }
    }
    return { attempts };
  }
}

function describe(
  members: ReadonlyMap<number, LiveMember>,
  targets: readonly HerdTarget[],
): { list: HerdMember[]; strays: number[] } {
  const list: HerdMember[] = [];
  const strays: number[] = [];
  for (const [pid, member] of members) {
    const stray = isStray(member, targets);
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

export function herdWith(io: HostIO, initPid: number, opts: HerdOptions = {}): HerdReport {
  const started = io.now();
  const dryRun = opts.dryRun ?? false;
  const maxPasses = Math.max(1, opts.maxPasses ?? DEFAULT_MAX_PASSES);
  const deadline = started + (opts.timeLimitMs ?? DEFAULT_TIME_LIMIT_MS);
  const initStat = readStat(io, initPid);
  if (!initStat || isGone(initStat)) {
    throw new HerdError('ENOINIT', `container init ${initPid} is not running`);
  }
  if (opts.initStartTime !== undefined && opts.initStartTime !== initStat.startTime) {
    throw new HerdError('ENOINIT', `pid ${initPid} is no longer the container's init`);
  }
  const { targets, failures: targetFailures } = resolveTargets(
    io,
    readCgroupMounts(io),
    initPid,
  );
  const herder = new Herder(io, initPid, targets, dryRun);
  herder.failures.push(...targetFailures);
  const roots: Root[] = [{ pid: initPid, startTime: initStat.startTime }];
  const foundByScan: number[] = [];
  let scanned = !(opts.ppidScan ?? true);
  let passes = 0;
  // The last walk, when nothing changed after it: it is the verification.
  let settled: Map<number, LiveMember> | undefined;
  try {
    for (;;) {
      passes++;
      const members = herder.walk(roots);
      const { attempts } = herder.pass(members);
      if (dryRun || attempts === 0) {
        if (scanned) {
          settled = members;
          break;
        }
        // The walk looks settled: confirm it once against the ppid of every process.
        scanned = true;
        const missed = ppidScan(io, members);
        if (missed.length === 0) {
          settled = members;
          break;
        }
        roots.push(...missed);
        foundByScan.push(...missed.map((m) => m.pid));
        if (dryRun) {
          herder.pass(herder.walk(missed));
          break;
        }
        continue;
      }
      if (passes >= maxPasses || io.now() > deadline) break;
    }
    const final = settled ?? herder.walk(roots);
    const { list, strays } = describe(final, targets);
    return {
      initPid,
      target: targets,
      members: list,
      moved: herder.moved,
      failures: herder.failures,
      skipped: herder.skipped,
      passes,
      converged: strays.length === 0 && targets.length > 0,
      strays,
      foundByPpidScan: foundByScan,
      dryRun,
      durationMs: io.now() - started,
    };
  } finally {
    io.close();
  }
}
