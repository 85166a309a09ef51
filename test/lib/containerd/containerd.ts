// A private containerd per cgroup mode, for the end-to-end tests and the bench.
//
//   const bed = await ContainerdBed.start('v1');
//   try { const bin = bed.runtimeBinary(rt, { ownCgroup: false }); await bed.ctr([...]); }
//   finally { await bed.stop(); }
//
// Debian 12's containerd 1.6.20 (test/env/containerd.sh), with its own root, state dir,
// socket and opt dir under /tmp/<name>, and the CRI plugin off. It runs in a private
// mount namespace set up for the mode (facts.md, "Hybrid cgroups"), with a tmpfs on
// /run/containerd there: the shims' sockets (/run/containerd/s) and ctr's FIFOs are
// fixed paths in containerd 1.6, so they stay inside this namespace, and every ctr call
// enters it. A holder shell starts the daemon, keeps the namespace, and ends the daemon
// when this process goes. The containerd namespace is the bed's name, so containers'
// cgroups are `/<name>/<id>` (ctr's default cgroupsPath `/<namespace>/<id>`), and the daemon
// and its shims start in `/<name>/daemon` in the hierarchies the mode leaves unmounted
// (podman-entry.ts says why). stop() removes `/<name>` in every hierarchy.

import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  MODE_MOUNTS,
  REPO_ROOT,
  ROOTFS_BUSYBOX,
  UNSHARED_SH,
  runCommand,
  type CgroupMode,
  type RunResult,
} from '../bed/bed.js';
import { hostCgroupMounts, removeCgroupsWhere } from '../cgroups/cgroups.js';
import { holderReady } from '../bed/holder-ready.js';
import { buildOciArchive } from './ctd-image.js';
import { ctdWrapperScript, type CtdRuntime } from './ctd-wrapper.js';
import { createEntryCgroups, entryCgroups } from '../podman/podman-entry.js';
import { shQuote } from '../podman/podman-conf.js';

export const CTD_PREFIX = 'cgt-ctd-';
export const CTD_IMAGE = 'docker.io/cgt/busybox:latest';
const CONTAINERD = '/usr/bin/containerd';
const CTR = '/usr/bin/ctr';
const SHIM = '/usr/bin/containerd-shim-runc-v2';
const NODE = process.execPath;
const SPEC_EDIT = join(REPO_ROOT, 'dist', 'test', 'lib', 'containerd', 'ctd-spec-edit.js');
const DEFAULT_TIMEOUT_MS = 120_000;
const HOLDER_MARK = 'cgt-ctd-holder';

export interface ContainerdBedOptions {
  /** Distinguishes beds of the same mode (default: none). */
  tag?: string;
  /** The process whose end ends the daemon (default: this one). */
  watchPid?: number;
}

export interface TaskInfo {
  pid: number;
  status: string;
}

/** `ctr task ls` output -> id -> pid and status (pure). */
export function parseTaskList(stdout: string): Map<string, TaskInfo> {
  const tasks = new Map<string, TaskInfo>();
  for (const line of stdout.split('\n').slice(1)) {
    const [id, pid, status] = line.trim().split(/\s+/);
    if (id === undefined || id === '' || pid === undefined || status === undefined) continue;
    tasks.set(id, { pid: Number(pid), status });
  }
  return tasks;
}

/** The daemon's configuration (pure). Every path it writes is under `dir`. */
export function containerdConfig(dir: string): string {
  return [
    'version = 2',
    `root = ${JSON.stringify(`${dir}/root`)}`,
    `state = ${JSON.stringify(`${dir}/state`)}`,
    'disabled_plugins = ["io.containerd.grpc.v1.cri"]',
    '[grpc]',
    `  address = ${JSON.stringify(`${dir}/containerd.sock`)}`,
    '[ttrpc]',
    '  address = ""',
    '[plugins."io.containerd.internal.v1.opt"]',
    `  path = ${JSON.stringify(`${dir}/opt`)}`,
    '',
  ].join('\n');
}

export class ContainerdBed {
  readonly dir: string;
  readonly socket: string;
  /** The containerd namespace, also the top cgroup of every container. */
  readonly namespace: string;

  private constructor(
    readonly mode: CgroupMode,
    readonly name: string,
    /** The holder shell's pid: its mount namespace is the bed's. */
    readonly holder: number,
  ) {
    this.dir = `/tmp/${name}`;
    this.socket = `${this.dir}/containerd.sock`;
    this.namespace = name;
  }

  static async start(mode: CgroupMode, opts: ContainerdBedOptions = {}): Promise<ContainerdBed> {
    if (opts.tag !== undefined && !/^[a-z0-9]+$/.test(opts.tag)) {
      throw new Error(`ContainerdBed.start: tag ${JSON.stringify(opts.tag)}: want [a-z0-9]+`);
    }
    for (const bin of [CONTAINERD, CTR, SHIM]) {
      if (!existsSync(bin)) throw new Error(`${bin} is missing: run test/env/containerd.sh`);
    }
    if (!existsSync(SPEC_EDIT)) throw new Error(`${SPEC_EDIT} is missing: run make build`);
    const name = `${CTD_PREFIX}${mode}${opts.tag ? `-${opts.tag}` : ''}`;
    const dir = `/tmp/${name}`;
    killLeftovers(dir);
    thawBed(name);
    await removeBedCgroups(name);
    rmSync(dir, { recursive: true, force: true });
    for (const sub of ['root', 'state', 'opt', 'wrappers', 'scratch']) {
      mkdirSync(join(dir, sub), { recursive: true });
    }
    writeFileSync(join(dir, 'config.toml'), containerdConfig(dir));
    const entry = entryCgroups(mode, name, hostCgroupMounts()).map((leaf) =>
      join(dirname(leaf), 'daemon'),
    );
    createEntryCgroups(entry);
    const holder = await startHolder(mode, dir, entry, opts.watchPid ?? process.pid);
    const bed = new ContainerdBed(mode, name, holder);
    try {
      await bed.waitReady();
      await bed.importImage();
    } catch (err) {
      await bed.stop();
      throw err;
    }
    return bed;
  }

  /** A bed another process started (ctd-session.ts), by its name and holder's pid. */
  static attach(mode: CgroupMode, name: string, holder: number): ContainerdBed {
    return new ContainerdBed(mode, name, holder);
  }

  /** Is the holder (and so the daemon) still there? */
  alive(): boolean {
    try {
      return readFileSync(`/proc/${this.holder}/cmdline`, 'utf8').includes(HOLDER_MARK);
    } catch {
      return false;
    }
  }

  /** Leaves a running bed as start() gave it, for the next test: every container and its
   *  cgroups gone, every image but `keep` removed, the scratch directory empty. Throws
   *  after all that with what failed. */
  async clear(keep: readonly string[]): Promise<void> {
    const errors: string[] = [];
    // A task whose tree a failed checkpoint left frozen cannot die until thawed.
    this.thaw();
    for (const id of (await this.ok(['container', 'ls', '-q'])).split('\n').filter(Boolean)) {
      errors.push(...(await this.remove(id)));
    }
    for (const image of (await this.ok(['image', 'ls', '-q'])).split('\n').filter(Boolean)) {
      if (keep.includes(image)) continue;
      const r = await this.ctr(['image', 'rm', '--sync', image], 30_000);
      if (r.code !== 0) errors.push(`ctr image rm ${image}: ${r.stderr.trim()}`);
    }
    // Strays a restore left in a removed container's cgroup (thawed again: a restore
    // re-creates a frozen v1 freezer cgroup); the daemon's stays.
    thawBed(this.name);
    const top = `/${this.name}/`;
    const daemon = `${top}daemon`;
    try {
      await removeCgroupsWhere(
        (rel) => rel.startsWith(top) && rel !== daemon && !rel.startsWith(`${daemon}/`),
      );
    } catch (err) {
      errors.push((err as Error).message);
    }
    rmSync(join(this.dir, 'scratch'), { recursive: true, force: true });
    mkdirSync(join(this.dir, 'scratch'));
    if (errors.length > 0) throw new Error(`containerd bed ${this.name}: ${errors.join('\n')}`);
  }

  /** ctr with this bed's socket and namespace, inside the bed's mount namespace. */
  ctr(args: readonly string[], timeoutMs = DEFAULT_TIMEOUT_MS): Promise<RunResult> {
    return runCommand(
      '/usr/bin/nsenter',
      [
        '-t',
        String(this.holder),
        '-m',
        '--',
        CTR,
        '--address',
        this.socket,
        '--namespace',
        this.namespace,
        ...args,
      ],
      { timeoutMs },
    );
  }

  /** ctr, throwing with its output unless it exits 0. Returns stdout. */
  async ok(args: readonly string[], timeoutMs = DEFAULT_TIMEOUT_MS): Promise<string> {
    const r = await this.ctr(args, timeoutMs);
    if (r.code !== 0)
      throw new Error(`ctr ${args.join(' ')} -> exit ${r.code}\n${r.stderr}${r.stdout}`);
    return r.stdout;
  }

  async tasks(): Promise<Map<string, TaskInfo>> {
    return parseTaskList(await this.ok(['task', 'ls']));
  }

  /** The container cgroup ctr gives `id` by default (`/<namespace>/<id>`). */
  cgroupOf(id: string): string {
    return `/${this.namespace}/${id}`;
  }

  /** Writes the `--runc-binary` wrapper for a runtime and a variant; returns its path. */
  runtimeBinary(rt: CtdRuntime, variant: { ownCgroup: boolean }): string {
    const slug = rt.label.replace(/[^A-Za-z0-9.]+/g, '-');
    const path = join(this.dir, 'wrappers', `${slug}${variant.ownCgroup ? '-own' : ''}`);
    const script = ctdWrapperScript(rt, {
      dropResources: this.mode === 'v2',
      ownCgroup: variant.ownCgroup,
      node: NODE,
      specEdit: SPEC_EDIT,
    });
    writeFileSync(path, script, { mode: 0o755 });
    return path;
  }

  /** A path for the test's own files, removed by stop(). */
  scratch(name: string): string {
    return join(this.dir, 'scratch', name);
  }

  /** Thaws every frozen cgroup of the bed (see thawBed): for the clean-up at the end of a
   *  test, never between its steps. */
  thaw(): void {
    thawBed(this.name);
  }

  /** Removes a container whatever its state: task killed and deleted, then the container.
   *  Returns the errors of the steps that failed (a task that was never started has none to
   *  kill). */
  async remove(id: string): Promise<string[]> {
    const errors: string[] = [];
    const kill = await this.ctr(['task', 'kill', '--signal', 'KILL', id], 30_000);
    if (kill.code === 0) await waitTaskStopped(this, id);
    for (const args of [
      ['task', 'rm', '--force', id],
      ['container', 'rm', id],
    ]) {
      const r = await this.ctr(args, 30_000);
      if (r.code !== 0) errors.push(`ctr ${args.join(' ')}: ${r.stderr.trim()}`);
    }
    return errors;
  }

  /** Ends every shim, the daemon and the holder (by pid), removes `/<name>` in every
   *  hierarchy and the bed's directory. Throws after all that if a cgroup stayed. */
  async stop(): Promise<void> {
    killLeftovers(this.dir, this.holder);
    thawBed(this.name);
    try {
      await removeBedCgroups(this.name);
    } finally {
      rmSync(this.dir, { recursive: true, force: true });
    }
  }

  private async waitReady(): Promise<void> {
    const deadline = Date.now() + 15_000;
    let last: RunResult | undefined;
    while (Date.now() < deadline) {
      if (existsSync(this.socket)) {
        last = await this.ctr(['version'], 10_000);
        if (last.code === 0) return;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    const log = readTail(join(this.dir, 'daemon.log'));
    throw new Error(`containerd did not answer in 15 s: ${last?.stderr ?? 'no socket'}\n${log}`);
  }

  private async importImage(): Promise<void> {
    const tar = join(this.dir, 'busybox.tar');
    await buildOciArchive(ROOTFS_BUSYBOX, tar, CTD_IMAGE);
    await this.ok(['image', 'import', tar]);
    rmSync(tar, { force: true });
  }
}

/** Starts a bed, gives it to `use`, and stops it however `use` ends. */
export async function withContainerdBed<T>(
  mode: CgroupMode,
  opts: ContainerdBedOptions,
  use: (bed: ContainerdBed) => Promise<T>,
): Promise<T> {
  const bed = await ContainerdBed.start(mode, opts);
  try {
    return await use(bed);
  } finally {
    await bed.stop();
  }
}

async function waitTaskStopped(bed: ContainerdBed, id: string): Promise<void> {
  for (let i = 0; i < 50; i++) {
    const task = (await bed.tasks()).get(id);
    if (task === undefined || task.status === 'STOPPED') return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

function readTail(file: string): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-15).join('\n');
  } catch {
    return '';
  }
}

/** Thaws every frozen cgroup under `/<name>`, so that the sweep's SIGKILLs land in every
 *  hierarchy it visits. A restore into a new cgroup by crun 1.8.1 re-creates the old v1
 *  freezer cgroup with the state CRIU dumped, FROZEN when containerd had paused the
 *  container for its checkpoint: the strays sit there in state D. */
function thawBed(name: string): void {
  for (const mount of hostCgroupMounts()) {
    const top = join(mount.mountPoint, name);
    if (!existsSync(top)) continue;
    const walk = (dir: string): void => {
      for (const [file, value] of [
        ['freezer.state', 'THAWED'],
        ['cgroup.freeze', '0'],
      ] as const) {
        try {
          writeFileSync(join(dir, file), value);
        } catch {
          // not this hierarchy's file, or gone
        }
      }
      let entries;
      try {
        entries = readdirSync(dir, { withFileTypes: true });
      } catch {
        return;
      }
      for (const e of entries) if (e.isDirectory()) walk(join(dir, e.name));
    };
    walk(top);
  }
}

function removeBedCgroups(name: string): Promise<string[]> {
  const top = `/${name}`;
  return removeCgroupsWhere((rel) => rel === top || rel.startsWith(`${top}/`));
}

/** SIGKILLs, by pid, the holder, the daemon and every shim that serves this bed's socket
 *  (a shim's argv names it: `-address <dir>/containerd.sock`). Containers die with the
 *  cgroup sweep that follows. */
function killLeftovers(dir: string, holder?: number): void {
  const socket = `${dir}/containerd.sock`;
  const config = `${dir}/config.toml`;
  const victims: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    if (pid === process.pid) continue;
    let argv: string[];
    try {
      argv = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0');
    } catch {
      continue;
    }
    const isShim = argv[0] === SHIM && argv.includes(socket);
    const isDaemon = argv[0] === CONTAINERD && argv.includes(config);
    const isHolder = pid === holder || (argv.includes(HOLDER_MARK) && argv.includes(dir));
    if (isShim || isDaemon || isHolder) victims.push(pid);
  }
  for (const pid of victims) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
}

/** Starts the holder and resolves with its pid once the namespace is set up. The holder
 *  joins the entry cgroups, mounts the mode and /run/containerd, starts the daemon, and
 *  ends it when the watched process (the test's, or the runner's) or the daemon goes. */
function startHolder(
  mode: CgroupMode,
  dir: string,
  entry: readonly string[],
  watchPid: number,
): Promise<number> {
  const script = [
    ...entry.map((leaf) => `echo $$ > ${shQuote(join(leaf, 'cgroup.procs'))} || exit 125`),
    MODE_MOUNTS[mode],
    // The package may never have made it; an empty directory on the host is all it leaves.
    '/bin/mkdir -p /run/containerd || exit 125',
    '/bin/mount -t tmpfs -o mode=0711 cgt-ctd-run /run/containerd || exit 125',
    // systemd's PATH for services: /usr/local/sbin first, where the test bed's criu
    // wrapper goes on a machine without hardware breakpoints (test/env/breakpoints.sh).
    `PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin ${CONTAINERD} --config ${shQuote(`${dir}/config.toml`)} </dev/null >${shQuote(`${dir}/daemon.log`)} 2>&1 &`,
    'daemon=$!',
    'echo ready',
    'exec </dev/null >/dev/null 2>&1',
    'while [ -d "/proc/$2" ] && [ -d "/proc/$daemon" ]; do /bin/sleep 1; done',
    'kill -9 $daemon',
  ].join('\n');
  const [cmd, ...args] = UNSHARED_SH;
  const child = spawn(cmd, [...args, script, HOLDER_MARK, dir, String(watchPid)], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return holderReady(child, 'containerd holder');
}
