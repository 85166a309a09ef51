// Where the strays were before they were moved, in the scan's hierarchy: the cgroups the
// confirmation scan must list (a child forked before its parent moved is born there).
// The first stray met in a cgroup costs a /proc/<pid>/cgroup read; that cgroup's
// cgroup.procs then names every other process in it. A buggy restore leaves the whole
// tree in one old cgroup, so a thousand strays cost one /proc read instead of a thousand.
// A listing is a snapshot: a process that a third party moves elsewhere between the
// listing and the herd's move is reported as coming from where it was listed, and its new
// cgroup is not scanned (the blind spot scan.ts already has for third-party moves).

import type { HostIO } from '../proc/host.js';
import type { CgroupMount } from '../proc/mountinfo.js';
import { parsePidList } from '../proc/procfs.js';
import type { Places } from './members.js';
import { originDir, originOf } from './scan.js';
import type { HerdTarget } from './types.js';

export class OriginBook {
  /** Every origin seen: the scan lists these. */
  readonly paths = new Set<string>();
  /** pid -> origin, from the cgroup.procs of the origins listed in this walk. */
  private listed = new Map<number, string>();
  private listedPaths = new Set<string>();

  constructor(
    private readonly io: HostIO,
    /** The scan's hierarchy's target: origins are cgroups of that hierarchy outside it. */
    readonly target: HerdTarget,
    private readonly mounts: readonly CgroupMount[],
  ) {}

  /**
   * Each walk lists afresh: between walks, something may have moved a process that an
   * older listing still names.
   */
  newWalk(): void {
    this.listed = new Map();
    this.listedPaths = new Set();
  }

  /** The origin a listing names for pid; undefined: read its /proc/<pid>/cgroup. */
  listedOrigin(pid: number): string | undefined {
    return this.listed.get(pid);
  }

  /** Where a member is: recorded as an origin if outside the target; not listed. */
  recordOrigin(cgroups: Readonly<Places>): void {
    const origin = originOf(this.target, cgroups);
    if (origin !== undefined) this.paths.add(origin);
  }

  /** Where a stray is, just read from its /proc/<pid>/cgroup: recorded, and listed once. */
  recordAndListOrigin(cgroups: Readonly<Places>): void {
    const path = originOf(this.target, cgroups);
    if (path === undefined) return;
    this.paths.add(path);
    if (this.listedPaths.has(path)) return;
    this.listedPaths.add(path);
    const resolved = originDir(this.target, this.mounts, path);
    if ('error' in resolved) return;
    let text: string | undefined;
    try {
      text = this.io.readText(`${resolved.dir}/cgroup.procs`);
    } catch {
      // Unreadable: each stray there costs its own /proc read, as without the book.
      return;
    }
    for (const pid of parsePidList(text ?? '')) this.listed.set(pid, path);
  }
}
