// Cgroup reading and removal for the tests. Parsing is pure; the I/O functions work from
// the host's mount namespace (the test process's own), where every v1 hierarchy and the one
// cgroup2 hierarchy are mounted side by side, whatever mode a container ran in.

import { readFileSync, readdirSync, rmdirSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { CgroupMode } from '../bed/bed.js';

/** One line of /proc/PID/cgroup: `ID:CONTROLLERS:PATH`. */
export interface ProcCgroupEntry {
  hierarchyId: string;
  controllers: string;
  path: string;
}

/** The key the tests use for the unified (cgroup2) hierarchy. */
export const UNIFIED = 'unified';

export function parseProcCgroup(text: string): ProcCgroupEntry[] {
  const entries: ProcCgroupEntry[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const first = line.indexOf(':');
    const second = line.indexOf(':', first + 1);
    if (first < 0 || second < 0) continue;
    entries.push({
      hierarchyId: line.slice(0, first),
      controllers: line.slice(first + 1, second),
      path: line.slice(second + 1),
    });
  }
  return entries;
}

/** Hierarchy -> path for the hierarchies a container sees in `mode`: on v1 every v1
 *  hierarchy keyed by its controller list (`cpu`, `name=systemd`, ...); on v2 the single
 *  cgroup2 one keyed `unified`. The kernel lists all of them whatever is mounted. */
export function cgroupsForMode(entries: ProcCgroupEntry[], mode: CgroupMode): Map<string, string> {
  const map = new Map<string, string>();
  for (const e of entries) {
    const isUnified = e.hierarchyId === '0' && e.controllers === '';
    if (mode === 'v2' && isUnified) map.set(UNIFIED, e.path);
    if (mode === 'v1' && !isUnified) map.set(e.controllers, e.path);
  }
  return map;
}

/** Hierarchies whose path differs between two processes (both maps from cgroupsForMode). */
export function differingHierarchies(a: Map<string, string>, b: Map<string, string>): string[] {
  const keys = new Set([...a.keys(), ...b.keys()]);
  return [...keys].filter((k) => a.get(k) !== b.get(k)).sort();
}

/** The process's cgroups in `mode`, or undefined if it is gone. */
export function readCgroups(pid: number, mode: CgroupMode): Map<string, string> | undefined {
  try {
    return cgroupsForMode(parseProcCgroup(readFileSync(`/proc/${pid}/cgroup`, 'utf8')), mode);
  } catch {
    return undefined;
  }
}

/** A cgroup filesystem mount from /proc/self/mountinfo. */
export interface CgroupMount {
  mountPoint: string;
  fstype: 'cgroup' | 'cgroup2';
  /** Super options: for v1 they name the controllers (`rw,cpu`, `rw,name=systemd`). */
  superOptions: string;
}

export function parseCgroupMounts(mountinfo: string): CgroupMount[] {
  const mounts: CgroupMount[] = [];
  for (const line of mountinfo.split('\n')) {
    const dash = line.indexOf(' - ');
    if (dash < 0) continue;
    const left = line.slice(0, dash).split(' ');
    const right = line.slice(dash + 3).split(' ');
    const fstype = right[0];
    const mountPoint = left[4];
    if ((fstype !== 'cgroup' && fstype !== 'cgroup2') || mountPoint === undefined) continue;
    // Only whole-hierarchy mounts: a bind of a subtree would make relative paths lie.
    if (left[3] !== '/') continue;
    mounts.push({ mountPoint: unescapeMount(mountPoint), fstype, superOptions: right[2] ?? '' });
  }
  return mounts;
}

function unescapeMount(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

/** True if one `/`-separated segment of a cgroup path equals `name`. */
export function pathHasSegment(relPath: string, name: string): boolean {
  return relPath.split('/').includes(name);
}

/** Depth-first: deeper cgroups first, so that parents are empty when their turn comes. */
export function deepestFirst(paths: string[]): string[] {
  const depth = (p: string): number => p.split('/').length;
  return [...paths].sort((a, b) => depth(b) - depth(a) || b.localeCompare(a));
}

export function hostCgroupMounts(): CgroupMount[] {
  return parseCgroupMounts(readFileSync('/proc/self/mountinfo', 'utf8'));
}

/** Every cgroup directory under a mount, as paths relative to the mount (`/a/b`). */
function listCgroups(mountPoint: string): string[] {
  const out: string[] = [];
  const walk = (rel: string): void => {
    let entries;
    try {
      entries = readdirSync(join(mountPoint, rel), { withFileTypes: true });
    } catch {
      return; // removed meanwhile
    }
    for (const e of entries) {
      if (!e.isDirectory()) continue;
      const child = `${rel}/${e.name}`;
      out.push(child);
      walk(child);
    }
  };
  walk('');
  return out;
}

function readPids(dir: string): number[] {
  try {
    return readFileSync(join(dir, 'cgroup.procs'), 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map(Number);
  } catch {
    return [];
  }
}

function tryWrite(file: string, value: string): void {
  try {
    if (existsSync(file)) writeFileSync(file, value);
  } catch {
    // best effort: the caller checks the outcome by rmdir
  }
}

/** The test process and its ancestors: never killed, whatever cgroup they are in. */
function protectedPids(): Set<number> {
  const pids = new Set<number>([process.pid]);
  let pid = process.ppid;
  while (pid > 1 && !pids.has(pid)) {
    pids.add(pid);
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      pid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    } catch {
      break;
    }
  }
  return pids;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Empties one cgroup (SIGKILL its processes, thawing it so they can die) and removes it. */
async function killAndRemove(dir: string, keep: Set<number>): Promise<string | undefined> {
  for (let attempt = 0; attempt < 40; attempt++) {
    const pids = readPids(dir).filter((p) => !keep.has(p));
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    // A frozen task keeps its SIGKILL pending: thaw after killing.
    tryWrite(join(dir, 'freezer.state'), 'THAWED');
    tryWrite(join(dir, 'cgroup.freeze'), '0');
    try {
      rmdirSync(dir);
      return undefined;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return undefined;
      if (code !== 'EBUSY' && code !== 'ENOTEMPTY') return `${dir}: ${String(err)}`;
    }
    await sleep(50);
  }
  const left = readPids(dir);
  return `${dir}: still busy after 2 s (pids: ${left.join(' ') || 'none'})`;
}

/** Removes every cgroup whose path (relative to its hierarchy root) satisfies `match`, in
 *  every cgroup hierarchy mounted on the host (all v1 ones, named ones included, and the
 *  cgroup2 one), deepest first, killing the processes left in them. Returns the removed
 *  directories; throws one error listing every cgroup it could not remove. */
export async function removeCgroupsWhere(match: (relPath: string) => boolean): Promise<string[]> {
  const keep = protectedPids();
  const removed: string[] = [];
  const failures: string[] = [];
  const seen = new Set<string>();
  for (const mount of hostCgroupMounts()) {
    if (seen.has(mount.mountPoint)) continue;
    seen.add(mount.mountPoint);
    const targets = deepestFirst(listCgroups(mount.mountPoint).filter(match));
    for (const rel of targets) {
      const dir = join(mount.mountPoint, rel);
      const failure = await killAndRemove(dir, keep);
      if (failure) failures.push(failure);
      else removed.push(dir);
    }
  }
  if (failures.length > 0) {
    throw new Error(`could not remove ${failures.length} cgroup(s):\n  ${failures.join('\n  ')}`);
  }
  return removed;
}

/** Removes every cgroup whose path contains `prefix`, in every hierarchy. The prefix must
 *  be a test's own id prefix (`cgt-bed-`): a short one could match the host's cgroups. */
export async function removeCgroups(prefix: string): Promise<string[]> {
  if (!/^[A-Za-z0-9_.-]{5,}$/.test(prefix)) {
    throw new Error(
      `removeCgroups: refusing prefix ${JSON.stringify(prefix)} (want e.g. cgt-bed-)`,
    );
  }
  return removeCgroupsWhere((rel) => rel.includes(prefix));
}

/** Puts pid into the same cgroup as `like`, in every hierarchy mounted on the host. */
export function mirrorCgroups(pid: number, like: number): void {
  const lines = readFileSync(`/proc/${like}/cgroup`, 'utf8').trim().split('\n');
  for (const mount of hostCgroupMounts()) {
    const line = lines.find((l) => {
      const [id, controllers] = l.split(':');
      if (mount.fstype === 'cgroup2') return id === '0' && controllers === '';
      const opts = new Set(mount.superOptions.split(','));
      return controllers !== '' && (controllers ?? '').split(',').every((c) => opts.has(c));
    });
    if (!line) continue;
    const path = line.slice(line.indexOf(':', line.indexOf(':') + 1) + 1);
    writeFileSync(join(mount.mountPoint, path, 'cgroup.procs'), String(pid));
  }
}
