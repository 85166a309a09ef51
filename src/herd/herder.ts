// One walk of the init's tree, and the checks around it. The walk moves the strays as it
// reaches them, a small batch at a time: each member is identified through a handle on
// its process (an open /proc/<pid>/stat, bound to the process, not to the number), and
// after each write that handle is read again. A handle that no longer reads means the
// process exited, and its pid may name another process by now: that process, if the write
// moved it, is reported (never moved again: where it was is unknown). Children are listed
// after a member moved, so children forked before the move are found and children forked
// after it are born in place; a child counts only when its parent (pid and start time) is
// still that process after the child's stat was read, which is after the listing. verify() re-reads where the members are through the target's
// cgroup.procs. Every loop stops at the herd's deadline.

import { isAncestorOrSelf } from '../cgroup/paths.js';
import type { HostIO, ProcHandle } from '../proc/host.js';
import type { CgroupMount } from '../proc/mountinfo.js';
import { readChildren, readStat, selfAndAncestors, stillStartedAt } from '../proc/procfs.js';
import { printable } from '../proc/printable.js';
import { isGone, parseStat, type ProcStat } from '../proc/stat.js';
import {
  NOT_READ,
  hierarchyIndex,
  listTargets,
  readMemberCgroups,
  strayTargets,
  type LiveMember,
  type PidToVisit,
  type Place,
  type Places,
  type TargetListing,
} from './members.js';
import { OriginBook } from './origin-book.js';
import type { HerdFailure, HerdMove, HerdSkip, HerdTarget } from './types.js';

/**
 * Members written per batch, one hierarchy after another. On v1, moving a batch through
 * one hierarchy at a time lets the kernel reuse each intermediate css_set instead of
 * building and freeing one per process and hierarchy: about 5 us a write instead of 9
 * (measured, 1,000 processes over 9 hierarchies). A batch stays small so that a stat and
 * its write are well under a millisecond apart.
 */
const BATCH = 16;

export interface HerderOptions {
  dryRun: boolean;
  deadline: number;
  /** Read each stray's cgroups before moving it (`from` in every hierarchy). */
  readStrayCgroups: boolean;
  /** The ppid scan's hierarchy: a stray's cgroup there is known before it is moved. */
  scanTarget: HerdTarget | undefined;
  mounts: readonly CgroupMount[];
}

/** A member the walk reached, about to be moved with its batch. */
interface BatchMember {
  pid: number;
  member: LiveMember;
  /** The hierarchies it is out of place in. */
  strays: HerdTarget[];
  /** The process itself, held from its identity check until the batch is written. */
  handle: ProcHandle;
  /** The member its ppid names (pid, start time): checked after the batch's stats. */
  parent?: { pid: number; startTime: number };
}

/** Failure code: the pid was reused by another process while it was being moved. */
export const PID_REUSED = 'EPIDREUSED';

export class Herder {
  readonly moved: HerdMove[] = [];
  readonly failures: HerdFailure[] = [];
  readonly skipped: HerdSkip[] = [];
  /** hierarchy -> pids whose move there failed (tried once, reported once). */
  private readonly failed = new Map<string, Set<number>>();
  private readonly caller: Set<number>;
  private readonly index: Map<string, string>;

  /** Where strays were before they were moved, in the scan's hierarchy. */
  private readonly book: OriginBook | undefined;
  private readonly dryRun: boolean;
  private readonly deadline: number;
  private readonly readStrayCgroups: boolean;

  /** Set when a walk (with the pids it had not reached) or a verify stopped at the deadline. */
  outOfTime = false;
  /** Set when a walk met a stray (moved, planned, refused or failed before). */
  foundStray = false;
  readonly unvisited: number[] = [];

  constructor(
    private readonly io: HostIO,
    private readonly targets: readonly HerdTarget[],
    opts: HerderOptions,
  ) {
    this.caller = selfAndAncestors(io, io.selfPid);
    this.index = hierarchyIndex(targets);
    this.book = opts.scanTarget && new OriginBook(io, opts.scanTarget, opts.mounts);
    this.dryRun = opts.dryRun;
    this.deadline = opts.deadline;
    this.readStrayCgroups = opts.readStrayCgroups;
  }

  /** Where strays were before they were moved, in the scan's hierarchy. */
  get strayOrigins(): ReadonlySet<string> {
    return this.book?.paths ?? new Set();
  }

  private fail(failure: HerdFailure): void {
    let pids = this.failed.get(failure.hierarchy);
    if (!pids) {
      pids = new Set();
      this.failed.set(failure.hierarchy, pids);
    }
    if (pids.has(failure.pid)) return;
    pids.add(failure.pid);
    // Names and paths in it are the container's choice.
    this.failures.push({ ...failure, message: printable(failure.message) });
  }

  private hasFailed(pid: number, hierarchy: string): boolean {
    return this.failed.get(hierarchy)?.has(pid) ?? false;
  }

  /**
   * Where pid is, per hierarchy. In place: known from the target's listing. Elsewhere:
   * NOT_READ, unless `readPaths`, then read from /proc/<pid>/cgroup (undefined: it is gone).
   */
  private locate(
    pid: number,
    listings: ReadonlyMap<string, TargetListing>,
    readPaths: boolean,
    stat?: ProcStat,
  ): Places | undefined {
    const cgroups: Places = {};
    let unknown = false;
    for (const t of this.targets) {
      const listing = listings.get(t.hierarchy);
      if (listing?.kind === 'root') {
        // A root target: everything is below it, in place; the exact path only on request.
        if (readPaths) unknown = true;
        else cgroups[t.hierarchy] = t.path;
        continue;
      }
      const path = listing?.kind === 'listed' ? listing.pids.get(pid) : undefined;
      if (path !== undefined) cgroups[t.hierarchy] = path;
      else if (listing?.kind !== 'listed' || readPaths) unknown = true;
      else cgroups[t.hierarchy] = NOT_READ;
    }
    if (!unknown) return cgroups;
    const read = readMemberCgroups(this.io, pid, this.index, stat);
    return read && { ...read, ...cgroups };
  }

  /** Where pid is, as locate says, with its cgroup in the scan's hierarchy always known. */
  private locateForScan(
    pid: number,
    listings: ReadonlyMap<string, TargetListing>,
  ): Places | undefined {
    const cgroups = this.locate(pid, listings, this.readStrayCgroups);
    const book = this.book;
    if (!cgroups || !book || cgroups[book.target.hierarchy] !== NOT_READ) return cgroups;
    // A stray there: its children forked before the move are born where it is now.
    const listed = book.listedOrigin(pid);
    if (listed !== undefined) {
      cgroups[book.target.hierarchy] = listed;
      return cgroups;
    }
    const read = this.locate(pid, listings, true);
    if (read) book.recordAndListOrigin(read);
    return read;
  }

  private recordMove(pid: number, target: HerdTarget, place: Place): void {
    this.moved.push(
      place === NOT_READ
        ? { pid, hierarchy: target.hierarchy, to: target.path }
        : { pid, hierarchy: target.hierarchy, from: place, to: target.path },
    );
  }

  /**
   * Moves one member into one hierarchy's target. False when it turned out to be gone.
   */
  private moveInto(
    pid: number,
    member: LiveMember,
    target: HerdTarget,
    procsFile: string,
  ): boolean {
    this.foundStray = true;
    if (this.hasFailed(pid, target.hierarchy)) return true;
    const place = member.cgroups[target.hierarchy] as Place;
    if (this.caller.has(pid)) {
      this.fail({
        pid,
        hierarchy: target.hierarchy,
        path: target.dir,
        code: 'ECALLER',
        message: `pid ${pid} is cgherd or one of its callers; it is never moved`,
      });
      return true;
    }
    if (this.dryRun) {
      this.recordMove(pid, target, place);
      return true;
    }
    const error = this.io.writePid(procsFile, pid);
    if (!error) {
      this.recordMove(pid, target, place);
      member.cgroups[target.hierarchy] = target.path;
      return true;
    }
    if (error.code === 'ESRCH') {
      this.skipped.push({ pid, reason: 'exited' });
      return false;
    }
    const where =
      place === NOT_READ ? readMemberCgroups(this.io, pid, this.index)?.[target.hierarchy] : place;
    if (where !== undefined) member.cgroups[target.hierarchy] = where;
    this.fail({
      pid,
      hierarchy: target.hierarchy,
      path: target.dir,
      code: error.code,
      message: `cannot move pid ${pid} (${member.stat.comm}) from ${where ?? '(elsewhere)'} to ${target.dir}: ${error.code} (${error.message})`,
    });
    return true;
  }

  /**
   * Moves a batch, one hierarchy after another, and reads each member's handle after each
   * of its writes. Returns the pids found gone.
   */
  private moveBatch(batch: readonly BatchMember[]): Set<number> {
    const gone = new Set<number>();
    for (const target of this.targets) {
      const procsFile = `${target.dir}/cgroup.procs`;
      for (const { pid, member, strays, handle } of batch) {
        if (gone.has(pid) || !strays.includes(target)) continue;
        const before = this.moved.length;
        if (!this.moveInto(pid, member, target, procsFile)) {
          gone.add(pid);
          continue;
        }
        if (this.moved.length === before || this.dryRun) continue;
        // Written. Still the same process? Then the write moved it, and no other.
        if (handle.stat() !== undefined) continue;
        gone.add(pid);
        this.moved.pop();
        this.skipped.push({ pid, reason: 'exited' });
        this.reportImpostor(pid, target);
      }
    }
    return gone;
  }

  /**
   * A member exited while it was being written to target and its pid was reused by then:
   * the write moved the new owner into the container's cgroup. Where that process was is
   * unknown: it took the pid after the member's last check, so the herd never read it.
   * Its parent's cgroup is no evidence (a child may leave the cgroup it was born in at
   * once, as systemd's do; an orphan's ppid is PID 1 or a subreaper; the ppid may itself
   * be reused), and a guess would move a host process a second time, by a number that may
   * be reused again. So it stays where the write put it, and is reported: such a herd
   * never converges (the hooks' debug line counts the failure).
   */
  private reportImpostor(pid: number, target: HerdTarget): void {
    const stat = readStat(this.io, pid);
    if (!stat || isGone(stat)) return;
    const index = new Map([[target.controllers, target.hierarchy]]);
    const here = readMemberCgroups(this.io, pid, index)?.[target.hierarchy];
    if (here === undefined || !isAncestorOrSelf(target.path, here)) return;
    this.fail({
      pid,
      hierarchy: target.hierarchy,
      path: target.dir,
      code: PID_REUSED,
      message:
        `pid ${pid} was reused by ${stat.comm} (parent ${stat.ppid}) while it was moved to ` +
        `${target.dir}; where it was before is unknown: left in ${here}`,
    });
  }

  /**
   * One member reached by the walk, identified: its place, then a handle on its process
   * and its stat read through it (the last read before its batch is written). Undefined
   * when it is gone or its pid was recycled. The caller closes the handle, and checks the
   * parent it names (see provenParents).
   */
  private reach(
    visit: PidToVisit,
    listings: ReadonlyMap<string, TargetListing>,
    into: ReadonlyMap<number, LiveMember>,
  ): Omit<BatchMember, 'strays'> | undefined {
    const { pid, parent, startTime } = visit;
    const cgroups = this.locateForScan(pid, listings);
    const handle = cgroups && this.io.openProcess(pid);
    const text = handle?.stat();
    const stat = text === undefined ? undefined : parseStat(text);
    if (!cgroups || !handle || !stat) {
      handle?.close();
      this.skipped.push({ pid, reason: 'exited' });
      return undefined;
    }
    // A listed child is a member through the member its ppid names now: the one that
    // listed it, or another (a subreaper, after a reparenting). Named by number, so the
    // pair must hold: a child is never older than its parent (nor than any ancestor).
    let claimed: { pid: number; startTime: number } | undefined;
    if (parent !== undefined) {
      const other = into.get(stat.ppid);
      claimed =
        stat.ppid === parent.pid
          ? parent
          : other && { pid: stat.ppid, startTime: other.stat.startTime };
    }
    const reused =
      (startTime !== undefined && stat.startTime !== startTime) ||
      (parent !== undefined && (!claimed || stat.startTime < claimed.startTime));
    if (reused) {
      handle.close();
      this.skipped.push({ pid, reason: 'pid-reused' });
      return undefined;
    }
    this.book?.recordOrigin(cgroups);
    return { pid, member: { stat, cgroups }, handle, ...(claimed ? { parent: claimed } : {}) };
  }

  /**
   * The batch without the members whose parent's pid was reused. Each parent named is read
   * once, after every stat of the batch: a parent that still has its start time then was
   * that process when its children's stats were read (a child's ppid changes when its
   * parent exits), so the ppid named the member, not a new owner of its number.
   */
  private provenParents(batch: readonly BatchMember[]): BatchMember[] {
    const proven = new Map<number, boolean>();
    return batch.filter((b) => {
      if (!b.parent) return true;
      let same = proven.get(b.parent.pid);
      if (same === undefined) {
        same = stillStartedAt(this.io, b.parent.pid, b.parent.startTime);
        proven.set(b.parent.pid, same);
      }
      if (same) return true;
      b.handle.close();
      this.skipped.push({ pid: b.pid, reason: 'pid-reused' });
      return false;
    });
  }

  /**
   * Breadth-first from the roots, moving strays on the way. A listed child whose stat
   * names a parent outside the walk, or a root whose start time changed, is a recycled
   * pid and is left alone.
   */
  walk(roots: readonly PidToVisit[], into: Map<number, LiveMember>): void {
    const listings = listTargets(this.io, this.targets, this.deadline);
    this.book?.newWalk();
    this.foundStray = false;
    const queue: PidToVisit[] = [...roots];
    let i = 0;
    while (i < queue.length) {
      // A tree that grows as fast as it is walked (every process forking before it is
      // moved) must not keep the herd forever: stop and report.
      if (this.io.now() > this.deadline) {
        this.outOfTime = true;
        this.unvisited.push(
          ...queue
            .slice(i)
            .map((r) => r.pid)
            .filter((p) => !into.has(p)),
        );
        return;
      }
      let batch: BatchMember[] = [];
      const inBatch = new Set<number>();
      try {
        for (; i < queue.length && batch.length < BATCH; i++) {
          const visit = queue[i] as PidToVisit;
          if (into.has(visit.pid) || inBatch.has(visit.pid)) continue;
          const reached = this.reach(visit, listings, into);
          if (!reached) continue;
          inBatch.add(visit.pid);
          batch.push({ ...reached, strays: strayTargets(reached.member.cgroups, this.targets) });
        }
        batch = this.provenParents(batch);
        const gone = this.moveBatch(batch.filter((b) => !isGone(b.member.stat)));
        for (const { pid, member } of batch) {
          if (gone.has(pid)) continue;
          into.set(pid, member);
          if (isGone(member.stat)) continue;
          // Listed by pid number: each child names this member (pid and start time) as
          // its parent, and counts only if the member still has that start time after the
          // child's own stat was read (provenParents), which is after this listing too.
          // One read per parent, not per member (a leaf lists no one).
          const parent = { pid, startTime: member.stat.startTime };
          for (const child of readChildren(this.io, pid, member.stat.numThreads)) {
            if (!into.has(child)) queue.push({ pid: child, parent });
          }
        }
      } finally {
        for (const { handle } of batch) handle.close();
      }
    }
  }

  /** Of the pids a walk did not reach, those outside the target: strays too. */
  unreachedStrays(members: ReadonlyMap<number, LiveMember>): number[] {
    // Past the deadline already: the target's listing, no /proc read per pid.
    const listings = listTargets(this.io, this.targets, Infinity);
    const strays = new Set<number>();
    for (const pid of this.unvisited) {
      if (members.has(pid)) continue;
      const cgroups = this.locate(pid, listings, false);
      if (cgroups && strayTargets(cgroups, this.targets).length > 0) strays.add(pid);
    }
    return [...strays];
  }

  /**
   * Re-reads where each member is (cheaply, through the target's cgroup.procs), drops the
   * ones that exited, and returns the strays that another pass could still fix.
   */
  verify(members: Map<number, LiveMember>): number[] {
    const listings = listTargets(this.io, this.targets, this.deadline);
    const fixable: number[] = [];
    for (const [pid, member] of members) {
      if (this.io.now() > this.deadline) {
        // Read-only so far: stopping leaves nothing half-done; the report says out of time.
        this.outOfTime = true;
        return [];
      }
      if (isGone(member.stat)) continue;
      let cgroups = this.locate(pid, listings, false, member.stat);
      // Only the ones still out cost /proc reads: gone, reused, or where exactly. Read by
      // number, so the start time is read after the cgroup: the same start time then
      // means the cgroup was the member's.
      if (cgroups && strayTargets(cgroups, this.targets).length > 0) {
        cgroups = this.locate(pid, listings, true, member.stat);
        if (cgroups && !stillStartedAt(this.io, pid, member.stat.startTime)) {
          members.delete(pid);
          this.skipped.push({ pid, reason: 'pid-reused' });
          continue;
        }
      }
      if (!cgroups) {
        members.delete(pid);
        this.skipped.push({ pid, reason: 'exited' });
        continue;
      }
      member.cgroups = cgroups;
      this.book?.recordOrigin(cgroups);
      const open = strayTargets(cgroups, this.targets).filter(
        (t) => !this.hasFailed(pid, t.hierarchy) && !this.caller.has(pid),
      );
      if (open.length > 0) fixable.push(pid);
    }
    return fixable;
  }
}
