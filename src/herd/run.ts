// The herd itself: walks of the init's tree (herder.ts) until one finds no stray, each
// followed by a cheap verification and a ppid scan of the cgroups where the tree's
// processes can be (scan.ts) to catch what the children files missed; then the report.

import type { HostIO } from '../proc/host.js';
import { NodeHost } from '../proc/node-host.js';
import { readStat } from '../proc/procfs.js';
import { isGone, type ProcStat } from '../proc/stat.js';
import { Herder, PID_REUSED } from './herder.js';
import { NOT_READ, strayTargets, type LiveMember, type PidToVisit } from './members.js';
import { confirmTree, scanHierarchy, type ScanScope } from './scan.js';
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

/** The init, identified: running, and the process the runtime recorded. */
function checkInit(io: HostIO, initPid: number, expectedStart: number | undefined): ProcStat {
  const stat = readStat(io, initPid);
  if (!stat || isGone(stat)) {
    throw new HerdError('ENOINIT', `container init ${initPid} is not running`);
  }
  if (expectedStart !== undefined && expectedStart !== stat.startTime) {
    throw new HerdError('ENOINIT', `pid ${initPid} is no longer the container's init`);
  }
  return stat;
}

function describe(
  members: ReadonlyMap<number, LiveMember>,
  targets: readonly HerdTarget[],
): { list: HerdMember[]; strays: number[] } {
  const list: HerdMember[] = [];
  const strays: number[] = [];
  for (const [pid, member] of members) {
    const stray = !isGone(member.stat) && strayTargets(member.cgroups, targets).length > 0;
    if (stray) strays.push(pid);
    const cgroups: Record<string, string> = {};
    for (const hierarchy in member.cgroups) {
      const place = member.cgroups[hierarchy];
      if (place !== undefined && place !== NOT_READ) cgroups[hierarchy] = place;
    }
    list.push({
      pid,
      ppid: member.stat.ppid,
      comm: member.stat.comm,
      cgroups,
      stray,
      state: member.stat.state,
    });
  }
  return { list, strays };
}

/** The walks of one herd, and when to stop them (passes, time, nothing left to find). */
class Passes {
  count = 0;
  members = new Map<number, LiveMember>();
  /** Every pid a walk starts from: the init, and what the scans found. */
  private readonly allRoots: PidToVisit[];
  private roots: PidToVisit[];
  readonly foundByScan: number[] = [];
  readonly scan: HerdScan | undefined;
  /** A scan's finds may have come from a cgroup not listed yet: scan once more after. */
  private scanAgain: boolean;
  /** A scan stopped at the deadline: the tree is unconfirmed. */
  scanOutOfTime = false;

  constructor(
    private readonly io: HostIO,
    private readonly herder: Herder,
    init: PidToVisit,
    private readonly opts: {
      dryRun: boolean;
      maxPasses: number;
      deadline: number;
      scanScope: Omit<ScanScope, 'origins' | 'deadline'> | undefined;
    },
  ) {
    this.allRoots = [init];
    this.roots = this.allRoots;
    this.scan = opts.scanScope ? { scope: 'cgroups', scans: 0, statReads: 0 } : undefined;
    this.scanAgain = opts.scanScope !== undefined;
  }

  /** Walks until a walk leaves nothing to fix and the scan finds nothing more, or a cap. */
  run(): void {
    for (;;) {
      this.count++;
      this.herder.walk(this.roots, this.members);
      if (this.herder.outOfTime) return;
      if (this.strayStillFixable()) {
        if (!this.mayWalkAgain()) return;
        this.walkWholeTreeNext();
        continue;
      }
      const missed = this.scanForMissed();
      if (missed.length === 0) return;
      this.walkMissedNext(missed);
    }
  }

  /**
   * A walk that met no stray found every member in place in its own listing of the
   * target: that listing is the verification. Else re-read (a fork may have raced a move).
   */
  private strayStillFixable(): boolean {
    if (this.opts.dryRun || !this.herder.foundStray) return false;
    return this.herder.verify(this.members).length > 0;
  }

  private mayWalkAgain(): boolean {
    return this.count < this.opts.maxPasses && this.io.now() <= this.opts.deadline;
  }

  private walkWholeTreeNext(): void {
    this.members = new Map();
    this.roots = this.allRoots;
  }

  /** The tree looks settled: confirm it against the ppid of every possible descendant. */
  private scanForMissed(): PidToVisit[] {
    const scope = this.opts.scanScope;
    if (!scope || !this.scan || !this.scanAgain) return [];
    const { missed, outOfTime } = confirmTree(
      this.io,
      this.members,
      { ...scope, origins: this.herder.strayOrigins, deadline: this.opts.deadline },
      this.scan,
    );
    if (outOfTime) this.scanOutOfTime = true;
    // What it found is walked (always); scan once more after, within the caps.
    if (missed.length > 0)
      this.scanAgain = this.count + 1 < this.opts.maxPasses && this.io.now() <= this.opts.deadline;
    return missed;
  }

  private walkMissedNext(missed: PidToVisit[]): void {
    for (const m of missed) if (!this.foundByScan.includes(m.pid)) this.foundByScan.push(m.pid);
    this.allRoots.push(...missed);
    this.roots = missed;
  }
}

/** Moves the init's whole tree into the container's cgroup (every mounted hierarchy). */
export function herd(
  initPid: number,
  opts: HerdOptions = {},
  io: HostIO = new NodeHost(),
): HerdReport {
  const started = io.now();
  const dryRun = opts.dryRun ?? false;
  const deadline = started + (opts.timeLimitMs ?? DEFAULT_TIME_LIMIT_MS);
  try {
    const initStat = checkInit(io, initPid, opts.initStartTime);
    const mounts = opts.mounts ?? herdMounts(io);
    const { targets, failures } = resolveTargets(io, mounts, initPid, opts.containerCgroup);
    const scanTarget = (opts.ppidScan ?? true) ? scanHierarchy(targets) : undefined;
    const herder = new Herder(io, targets, {
      dryRun,
      deadline,
      readStrayCgroups: (opts.origins ?? false) || dryRun,
      scanTarget,
      mounts,
    });
    herder.failures.push(...failures);
    const passes = new Passes(
      io,
      herder,
      { pid: initPid, startTime: initStat.startTime },
      {
        dryRun,
        maxPasses: Math.max(1, opts.maxPasses ?? DEFAULT_MAX_PASSES),
        deadline,
        scanScope: (opts.ppidScan ?? true) ? { target: scanTarget, mounts } : undefined,
      },
    );
    passes.run();
    const { list, strays } = describe(passes.members, targets);
    if (herder.outOfTime) strays.push(...herder.unreachedStrays(passes.members));
    return {
      initPid,
      target: targets,
      members: list,
      moved: herder.moved,
      failures: herder.failures,
      skipped: herder.skipped,
      passes: passes.count,
      // A pid reused mid-move may have put a host process in the container's cgroup for a
      // moment: never a clean result, even once it is put back.
      converged:
        strays.length === 0 &&
        targets.length > 0 &&
        !herder.outOfTime &&
        !passes.scanOutOfTime &&
        !herder.failures.some((f) => f.code === PID_REUSED),
      strays,
      foundByPpidScan: passes.foundByScan,
      ...(passes.scan ? { scan: passes.scan } : {}),
      dryRun,
      durationMs: io.now() - started,
    };
  } finally {
    io.close();
  }
}
