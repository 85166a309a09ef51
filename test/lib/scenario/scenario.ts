// The checkpoint/restore steps of the bug, with the runtime as a parameter: the control
// suite runs them on bare crun, the fix tests run the same steps through cgherd.
// Every call runs under `inMode(mode, …)` with this scenario's own `--root`.

import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { CGHERD_BIN, inMode, type CgroupMode, type RunResult } from '../bed/bed.js';
import { makeBundle, tree8Role, type BundleOptions } from './bundle.js';
import { checkpointArgv, restoreArgv } from './cr-argv.js';
import {
  UNIFIED,
  differingHierarchies,
  pathHasSegment,
  readCgroups,
  removeCgroupsWhere,
} from '../cgroups/cgroups.js';

export interface RuntimeUnderTest {
  label: string; // e.g. 'crun 1.8.1', 'cgherd over crun 1.8.1'
  bin: string; // absolute path executed: a crun binary or CGHERD_BIN
  env?: Record<string, string>; // e.g. { CGHERD_RUNTIME: RUNTIMES.crun181 }
  /** The real runtime underneath, used for `state` and as a second try in cleanup, so
   *  that reading a pid or cleaning up never depends on the code under test. */
  lower?: string;
}

export function bare(path: string, label: string): RuntimeUnderTest {
  return { label, bin: path, lower: path };
}

export function viaCgherd(
  lower: string,
  label: string,
  extraEnv?: Record<string, string>,
): RuntimeUnderTest {
  return { label, bin: CGHERD_BIN, env: { CGHERD_RUNTIME: lower, ...extraEnv }, lower };
}

// --- process trees (pure over a pid -> ppid table) -------------------------------------

/** pid -> ppid for every process on the host, from /proc/PID/stat. */
export function readPpidTable(): Map<number, number> {
  const table = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // comm may hold spaces and parentheses: the fields start after the last ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      table.set(Number(name), ppid);
    } catch {
      // exited meanwhile
    }
  }
  return table;
}

/** All descendants of `root` (not root itself), parents before children. */
export function descendants(root: number, ppidOf: Map<number, number>): number[] {
  const children = new Map<number, number[]>();
  for (const [pid, ppid] of ppidOf) {
    const list = children.get(ppid);
    if (list) list.push(pid);
    else children.set(ppid, [pid]);
  }
  const out: number[] = [];
  const queue = [root];
  const seen = new Set<number>([root]);
  while (queue.length > 0) {
    const pid = queue.shift() as number;
    for (const child of (children.get(pid) ?? []).sort((a, b) => a - b)) {
      if (seen.has(child)) continue;
      seen.add(child);
      out.push(child);
      queue.push(child);
    }
  }
  return out;
}

export function cmdline(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').slice(0, -1);
  } catch {
    return [];
  }
}

export interface Placement {
  init: number;
  /** The init and all its descendants (host pids). */
  members: number[];
  /** Members whose cgroup differs from the init's in a hierarchy mounted in this mode. */
  strays: number[];
  /** The container's own cgroup as the runtime recorded it (crun's status `cgroup-path`),
   *  if known. */
  cgroup?: string;
  /** Members not in `cgroup` in some mounted hierarchy (the init included): with crun 1.21
   *  without the restore root on v1, the whole tree sits in the old cgroup, so there are
   *  no strays but 8 members outside. Present when `cgroup` is. */
  outside?: number[];
}

// --- the scenario ------------------------------------------------------------------------

export class Scenario {
  readonly root: string;
  /** This scenario's temp dir (/tmp/<prefix>sc-XXXXXX): bundles, images, state. */
  readonly dir: string;
  /** Per call; a hung checkpoint (CRIU frozen with the container) ends as code 137. */
  timeoutMs = 120_000;
  private readonly ids = new Set<string>();
  private readonly pids = new Set<number>();

  constructor(
    readonly mode: CgroupMode,
    readonly rt: RuntimeUnderTest,
    readonly prefix: string,
  ) {
    this.dir = mkdtempSync(join('/tmp', `${prefix}sc-`));
    this.root = join(this.dir, 'state');
    mkdirSync(this.root);
  }

  /** This scenario (state root, temp dir, tracked ids) driven through another runtime:
   *  e.g. a container broken by bare crun, then checkpointed through cgherd. Cleanup stays
   *  with the original. */
  through(rt: RuntimeUnderTest): Scenario {
    const view = Object.create(this) as Scenario;
    Object.defineProperty(view, 'rt', { value: rt });
    return view;
  }

  /** A path inside this scenario's temp dir. */
  path(name: string): string {
    return join(this.dir, name);
  }

  /** makeBundle in this scenario's dir, for this scenario's mode. */
  bundle(name: string, opts: Omit<BundleOptions, 'mode'>): Promise<string> {
    return makeBundle(this.path(name), { ...opts, mode: this.mode });
  }

  /** Where checkpoint and restore of `image` keep their logs (dump.log, restore.log). */
  workPathFor(image: string): string {
    return `${image}.work`;
  }

  /** Runs the runtime under test with `--root` and any arguments. */
  call(
    args: readonly string[],
    timeoutMs = this.timeoutMs,
    onSpawn?: (pid: number) => void,
  ): Promise<RunResult> {
    return inMode(this.mode, this.rt.bin, ['--root', this.root, ...args], {
      env: this.rt.env,
      timeoutMs,
      onSpawn,
    });
  }

  /** Tracks an id made by a call outside run/restore, so cleanup removes it. */
  adopt(id: string): void {
    this.track(id);
  }

  private track(id: string): void {
    if (!id.startsWith(this.prefix)) {
      throw new Error(`container id ${id} must start with the scenario prefix ${this.prefix}`);
    }
    this.ids.add(id);
  }

  run(id: string, bundle: string): Promise<RunResult> {
    this.track(id);
    return this.call(['run', '--detach', '--bundle', bundle, id]);
  }

  /** opts.onSpawn gets the pid of the runtime under test (for a fault test's signal). */
  checkpoint(
    id: string,
    image: string,
    opts: { leaveRunning?: boolean; onSpawn?: (pid: number) => void } = {},
  ): Promise<RunResult> {
    const work = this.workPathFor(image);
    mkdirSync(image, { recursive: true });
    mkdirSync(work, { recursive: true }); // crun 1.8.1 needs it to exist
    return this.call(
      checkpointArgv(id, image, work, opts.leaveRunning),
      this.timeoutMs,
      opts.onSpawn,
    );
  }

  restore(
    id: string,
    bundle: string,
    image: string,
    opts: { onSpawn?: (pid: number) => void } = {},
  ): Promise<RunResult> {
    this.track(id);
    const work = this.workPathFor(image);
    mkdirSync(work, { recursive: true });
    return this.call(restoreArgv(id, bundle, image, work), this.timeoutMs, opts.onSpawn);
  }

  kill(id: string, signal = 'KILL', all = false): Promise<RunResult> {
    return this.call(['kill', ...(all ? ['--all'] : []), id, signal]);
  }

  delete(id: string, force = false): Promise<RunResult> {
    return this.call(['delete', ...(force ? ['--force'] : []), id]);
  }

  /** The init's host pid, from `state` of the real runtime (not the code under test). */
  async initPid(id: string): Promise<number> {
    const bin = this.rt.lower ?? this.rt.bin;
    const r = await inMode(this.mode, bin, ['--root', this.root, 'state', id], {
      timeoutMs: 30_000,
    });
    if (r.code !== 0) throw new Error(`state ${id} failed (${r.code}): ${r.stderr.trim()}`);
    const pid = statePid(r.stdout);
    // Reported with what came back: runCommand's drain once dropped whole answers (fixed).
    if (pid === undefined) {
      throw new Error(`state ${id}: no pid in ${JSON.stringify(r.stdout)} (${r.stderr.trim()})`);
    }
    this.pids.add(pid);
    return pid;
  }

  /** pid and all its descendants (host pids). */
  async tree(pid: number): Promise<number[]> {
    return [pid, ...descendants(pid, readPpidTable())];
  }

  async placement(id: string): Promise<Placement> {
    const init = await this.initPid(id);
    const members = await this.tree(init);
    // One read per member (undefined: gone meanwhile), for both strays and outside.
    const cgroups = new Map(members.map((pid) => [pid, readCgroups(pid, this.mode)]));
    const initCgroups = cgroups.get(init) ?? new Map<string, string>();
    const strays = members.filter((pid) => {
      const cg = cgroups.get(pid);
      return pid !== init && cg !== undefined && differingHierarchies(cg, initCgroups).length > 0;
    });
    const cgroup = this.recordedCgroup(id);
    if (cgroup === undefined) return { init, members, strays };
    const outside = members.filter((pid) => {
      const cg = cgroups.get(pid);
      return cg !== undefined && [...cg.values()].some((path) => path !== cgroup);
    });
    return { init, members, strays, cgroup, outside };
  }

  /** crun's `cgroup-path` from `<root>/<id>/status`, or undefined (other runtimes). */
  recordedCgroup(id: string): string | undefined {
    try {
      const status = JSON.parse(readFileSync(join(this.root, id, 'status'), 'utf8')) as Record<
        string,
        unknown
      >;
      const path = status['cgroup-path'];
      return typeof path === 'string' && path !== '' ? path : undefined;
    } catch {
      return undefined;
    }
  }

  /** One line per member: pid, tree8 role, and its cgroup (freezer on v1, unified on v2).
   *  For failure messages. */
  async describe(id: string): Promise<string> {
    const { members, strays } = await this.placement(id);
    const key = this.mode === 'v1' ? 'freezer' : UNIFIED;
    return members
      .map((pid) => {
        const role = tree8Role(cmdline(pid)) ?? cmdline(pid).join(' ').slice(0, 40);
        const cg = readCgroups(pid, this.mode)?.get(key) ?? '(gone)';
        return `${pid} ${role} ${cg}${strays.includes(pid) ? '  <- stray' : ''}`;
      })
      .join('\n');
  }

  /** Waits until the container's init has `size` processes in its tree, the same ones on
   *  two reads 100 ms apart (the tree8 init needs a moment to fork its daemon, and a
   *  short-lived subshell could make up the count). Returns the placement; throws on
   *  timeout. */
  async waitForTree(id: string, size: number, timeoutMs = 10_000): Promise<Placement> {
    const deadline = Date.now() + timeoutMs;
    let last: Placement | undefined;
    let previous = '';
    while (Date.now() < deadline) {
      last = await this.placement(id);
      const key = [...last.members].sort((a, b) => a - b).join(',');
      if (last.members.length === size && key === previous) return last;
      previous = key;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(
      `${id}: tree has ${last?.members.length ?? 0} processes, not ${size}, after ${timeoutMs} ms`,
    );
  }

  /** CRIU's dump.log text of a checkpoint into `image`. Throws if there is none. */
  async dumpLog(image: string, workPath?: string): Promise<string> {
    return readLog([workPath ?? this.workPathFor(image), image], 'dump.log');
  }

  /** CRIU's restore.log text of the last restore from `image`. Throws if there is none. */
  async restoreLog(image: string, workPath?: string): Promise<string> {
    return readLog([workPath ?? this.workPathFor(image), image], 'restore.log');
  }

  /** The error lines of restore.log from `image`, or '' without a log: for failure messages. */
  async restoreErrors(image: string): Promise<string> {
    const log = await this.restoreLog(image).catch(() => '');
    return log
      .split('\n')
      .filter((l) => l.includes('Error'))
      .join('\n');
  }

  /** Kills and deletes every container this scenario made, removes their cgroups in every
   *  hierarchy (including paths CRIU re-created and `.proxy-crun`), removes the temp dir.
   *  Throws one error listing what could not be cleaned. */
  async cleanup(): Promise<void> {
    const bins = [...new Set([this.rt.bin, this.rt.lower ?? this.rt.bin])];
    for (const id of this.ids) {
      for (const bin of bins) {
        if (!existsSync(join(this.root, id))) break;
        const run = (args: string[]): Promise<RunResult> =>
          inMode(this.mode, bin, ['--root', this.root, ...args], {
            env: bin === this.rt.bin ? this.rt.env : undefined,
            timeoutMs: 20_000,
          });
        await run(['kill', '--all', id, 'KILL']);
        await run(['delete', '--force', id]);
      }
    }
    for (const pid of this.pids) killTree(pid, this.ids);
    const ids = [...this.ids];
    try {
      await removeCgroupsWhere((rel) => ids.some((id) => pathHasSegment(rel, id)));
    } finally {
      rmSync(this.dir, { recursive: true, force: true });
    }
  }
}

function readLog(dirs: string[], name: string): string {
  for (const dir of dirs) {
    const file = join(dir, name);
    if (existsSync(file)) return readFileSync(file, 'utf8');
  }
  throw new Error(`no ${name} in ${dirs.join(' or ')}`);
}

/** SIGKILLs pid and its descendants if pid still sits in a cgroup named after one of ids
 *  (guards against a reused pid). */
function killTree(pid: number, ids: Set<string>): void {
  let text = '';
  try {
    text = readFileSync(`/proc/${pid}/cgroup`, 'utf8');
  } catch {
    return;
  }
  if (![...ids].some((id) => text.includes(id))) return;
  for (const p of [pid, ...descendants(pid, readPpidTable())]) {
    try {
      process.kill(p, 'SIGKILL');
    } catch {
      // gone
    }
  }
}

/** The pid in a runtime's `state` answer; undefined if the answer is not JSON or has none. */
function statePid(stdout: string): number | undefined {
  try {
    const pid = (JSON.parse(stdout) as { pid?: unknown }).pid;
    return typeof pid === 'number' && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}
