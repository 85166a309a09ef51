// A private Podman per cgroup mode, for the end-to-end tests.
//
//   const bed = await PodmanBed.start('v1', { crun: RUNTIMES.crun121,
//     'cgherd-crun181': { cgherdOver: RUNTIMES.crun181 } }, { tag: 'mytest' });
//   try { await bed.podman(['run', '-d', '--runtime', 'cgherd-crun181', bed.image, ...]); }
//   finally { await bed.stop(); }
//
// Podman and conmon must see the same mounts across calls, so one holder process keeps a
// private mount namespace set up for the mode (facts.md, "Hybrid cgroups") and every
// podman call enters it with nsenter. Configuration, storage, locks and cgroups are all
// under the bed's own name (`cgt-pod-<mode>[-tag]`, /tmp/<name>, cgroup parent /<name>),
// so the host's Podman defaults and other helpers' state are never touched.

import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import {
  CGHERD_BIN,
  MODE_MOUNTS,
  UNSHARED_SH,
  runCommand,
  type CgroupMode,
  type RunResult,
} from '../bed/bed.js';
import {
  bedLayout,
  cgherdWrapper,
  containersConf,
  hardLimit,
  storageConf,
  withCgroupParent,
  type BedLayout,
  type RuntimeSpec,
} from './podman-conf.js';
import { hostCgroupMounts, removeCgroupsWhere } from '../cgroups/cgroups.js';
import { holderReady } from '../bed/holder-ready.js';
import { createEntryCgroups, entryCgroups, joinAndExecScript } from './podman-entry.js';

export type { RuntimeSpec } from './podman-conf.js';

export const PODMAN_PREFIX = 'cgt-pod-';
export const IMAGE = 'localhost/cgt-pod-busybox:latest';
const DEFAULT_TIMEOUT_MS = 120_000;

export interface PodmanBedOptions {
  /** Distinguishes beds of the same mode used at the same time (default: none). */
  tag?: string;
  /** A private copy of /etc bound over /etc in the bed's namespace, with the bed's
   *  containers.conf as /etc/containers/containers.conf and no CONTAINERS_CONF: Podman
   *  then reads its drop-ins, and `cgherd install` can write there (see inNamespace). */
  privateEtc?: boolean;
}

export interface PodmanCallOptions {
  timeoutMs?: number;
}

export class PodmanBed {
  /** The local busybox image (no registry needed). */
  readonly image = IMAGE;
  /** /tmp/<name>: everything the bed keeps on disk. */
  readonly dir: string;
  /** A scratch directory for the test (exported checkpoints, ...), emptied by stop(). */
  readonly scratch: string;
  /** The cgroup parent of every container and conmon of this bed, e.g. `/cgt-pod-v1`. */
  readonly cgroupParent: string;

  private constructor(
    readonly mode: CgroupMode,
    readonly name: string,
    private readonly layout: BedLayout,
    private readonly env: Record<string, string>,
    private readonly holder: number,
    /** See podman-entry.ts: every podman call starts in these cgroups. */
    private readonly entry: readonly string[],
  ) {
    this.dir = layout.dir;
    this.scratch = `${layout.dir}/scratch`;
    this.cgroupParent = `/${name}`;
  }

  /**
   * Sets up the bed: clears what a crashed earlier bed of the same name left, writes the
   * configuration, starts the namespace holder and makes sure the image exists.
   * `runtimes`: name -> a binary path, or `{ cgherdOver: lower }` for cgherd over it.
   * The first name is Podman's default runtime.
   */
  static async start(
    mode: CgroupMode,
    runtimes: Record<string, RuntimeSpec>,
    opts: PodmanBedOptions = {},
  ): Promise<PodmanBed> {
    if (opts.tag !== undefined && !/^[a-z0-9]+$/.test(opts.tag)) {
      throw new Error(`PodmanBed.start: tag ${JSON.stringify(opts.tag)}: want [a-z0-9]+`);
    }
    const name = `${PODMAN_PREFIX}${mode}${opts.tag ? `-${opts.tag}` : ''}`;
    const layout = bedLayout(`/tmp/${name}`);
    killStaleHolder(layout);
    await removeBedCgroups(name);
    mkdirSync(layout.root, { recursive: true });
    mkdirSync(layout.runroot, { recursive: true });
    mkdirSync(layout.wrappers, { recursive: true });
    rmSync(`${layout.dir}/scratch`, { recursive: true, force: true });
    mkdirSync(`${layout.dir}/scratch`, { recursive: true });

    const paths = writeRuntimes(layout, runtimes);
    const first = Object.keys(runtimes)[0];
    if (first === undefined) throw new Error('PodmanBed.start: no runtime given');
    const limits = readFileSync('/proc/self/limits', 'utf8');
    // Podman caps its own RLIMIT_NPROC at pid_max; asking a container for more fails.
    const pidMax = Number(readFileSync('/proc/sys/kernel/pid_max', 'utf8').trim());
    const conf = containersConf({
      layout,
      runtimes: paths,
      defaultRuntime: first,
      nofile: hardLimit(limits, 'Max open files') ?? 1024,
      nproc: Math.min(hardLimit(limits, 'Max processes') ?? pidMax, pidMax),
    });
    writeFileSync(`${layout.dir}/containers.conf`, conf);
    writeFileSync(`${layout.dir}/storage.conf`, storageConf(layout));
    writeFileSync(`${layout.dir}/registries.conf`, 'unqualified-search-registries = []\n');
    if (opts.privateEtc) {
      rmSync(`${layout.dir}/etc`, { recursive: true, force: true });
      const cp = await runCommand('/bin/cp', ['-a', '/etc', `${layout.dir}/etc`]);
      if (cp.code !== 0) throw new Error(`copying /etc failed: ${cp.stderr}`);
      writeFileSync(`${layout.dir}/etc/containers/containers.conf`, conf);
    }

    const env: Record<string, string> = {
      CONTAINERS_STORAGE_CONF: `${layout.dir}/storage.conf`,
      CONTAINERS_REGISTRIES_CONF: `${layout.dir}/registries.conf`,
    };
    if (!opts.privateEtc) env.CONTAINERS_CONF = `${layout.dir}/containers.conf`;
    const entry = entryCgroups(mode, name, hostCgroupMounts());
    createEntryCgroups(entry);
    const holder = await startHolder(mode, layout, opts.privateEtc === true);
    const bed = new PodmanBed(mode, name, layout, env, holder, entry);
    try {
      // A database from an earlier run may still list containers; their processes died
      // with removeBedCgroups above. If Podman cannot remove them (a runtime name that is
      // no longer configured), start from empty storage: nothing is mounted in this
      // new namespace, and the image is cheap to import again.
      const rm = await bed.podman(['rm', '--all', '--force', '--time', '0']);
      if (rm.code !== 0) rmSync(layout.root, { recursive: true, force: true });
      await bed.ensureImage();
    } catch (err) {
      await bed.stop();
      throw err;
    }
    return bed;
  }

  /** Runs podman in the bed's namespace with its private configuration. `run`/`create`
   *  get `--cgroup-parent` unless given one. Paths in args must be absolute. */
  podman(args: readonly string[], opts: PodmanCallOptions = {}): Promise<RunResult> {
    const nsenter = [
      '/usr/bin/nsenter',
      '-t',
      String(this.holder),
      '-m',
      '--',
      'podman',
      '--root',
      `${this.layout.root}/storage`,
      '--runroot',
      `${this.layout.runroot}/storage`,
      ...withCgroupParent(args, this.cgroupParent),
    ];
    const argv = ['/bin/sh', '-c', joinAndExecScript(this.entry), 'podman', ...nsenter];
    return runCommand(argv[0] as string, argv.slice(1), {
      env: this.env,
      timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    });
  }

  /** Runs a command in the bed's mount namespace (its /etc, when private). */
  inNamespace(argv: readonly string[], opts: PodmanCallOptions = {}): Promise<RunResult> {
    return runCommand('/usr/bin/nsenter', ['-t', String(this.holder), '-m', '--', ...argv], {
      env: this.env,
      timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    });
  }

  /** Like podman(), but throws with podman's stderr unless it exits 0. Returns stdout. */
  async ok(args: readonly string[], opts: PodmanCallOptions = {}): Promise<string> {
    const r = await this.podman(args, opts);
    if (r.code !== 0) {
      throw new Error(`podman ${args.join(' ')} -> exit ${r.code}\n${r.stderr}${r.stdout}`);
    }
    return r.stdout;
  }

  /** The host pid of a running container's init. */
  async initPid(container: string): Promise<number> {
    const out = await this.ok(['inspect', '--format', '{{.State.Pid}}', container]);
    const pid = Number(out.trim());
    if (!Number.isInteger(pid) || pid <= 0) throw new Error(`${container}: no init pid (${out})`);
    return pid;
  }

  /** The file a container's runtime call logs to, e.g. CRIU's dump.log after a checkpoint. */
  async userdataFile(container: string, file: string): Promise<string> {
    const id = (await this.ok(['inspect', '--format', '{{.Id}}', container])).trim();
    return `${this.layout.root}/storage/overlay-containers/${id}/userdata/${file}`;
  }

  /** Removes every container, kills the holder and removes the bed's cgroups in every
   *  hierarchy. The image and storage stay for the next bed of this name. Throws only after
   *  all of that, if a cgroup could not be removed. */
  async stop(): Promise<void> {
    try {
      await this.podman(['rm', '--all', '--force', '--time', '0'], { timeoutMs: 60_000 });
    } catch {
      // the cgroup sweep below kills what podman could not
    }
    try {
      process.kill(this.holder, 'SIGKILL');
    } catch {
      // already gone
    }
    rmSync(`${this.layout.dir}/holder.pid`, { force: true });
    rmSync(this.scratch, { recursive: true, force: true });
    rmSync(`${this.dir}/etc`, { recursive: true, force: true });
    await removeBedCgroups(this.name);
  }

  private async ensureImage(): Promise<void> {
    if ((await this.podman(['image', 'exists', IMAGE])).code === 0) return;
    const tar = await buildImageTar(this.layout);
    await this.ok(['import', '--change', 'CMD ["/bin/sh"]', tar, IMAGE]);
  }
}

/** Starts a bed, gives it to `use`, and stops it however `use` ends. */
export async function withPodmanBed<T>(
  mode: CgroupMode,
  runtimes: Record<string, RuntimeSpec>,
  opts: PodmanBedOptions,
  use: (bed: PodmanBed) => Promise<T>,
): Promise<T> {
  const bed = await PodmanBed.start(mode, runtimes, opts);
  try {
    return await use(bed);
  } finally {
    await bed.stop();
  }
}

/** `/<name>` and everything below it, in every hierarchy: CRIU re-creates container paths
 *  even in hierarchies the container never used (facts.md). */
function removeBedCgroups(name: string): Promise<string[]> {
  const top = `/${name}`;
  return removeCgroupsWhere((rel) => rel === top || rel.startsWith(`${top}/`));
}

function writeRuntimes(
  layout: BedLayout,
  runtimes: Record<string, RuntimeSpec>,
): Map<string, string> {
  const paths = new Map<string, string>();
  for (const [name, spec] of Object.entries(runtimes)) {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) throw new Error(`bad runtime name ${name}`);
    if (typeof spec === 'string') {
      paths.set(name, spec);
      continue;
    }
    const path = `${layout.wrappers}/${name}`;
    let env: Record<string, string> = { CGHERD_RUNTIME: spec.cgherdOver, ...spec.env };
    if (spec.config) {
      const file = `${path}.json`;
      writeFileSync(file, JSON.stringify({ runtime: spec.cgherdOver, ...spec.config }));
      env = { CGHERD_CONFIG: file, ...spec.env };
    }
    writeFileSync(path, cgherdWrapper(CGHERD_BIN, env), { mode: 0o755 });
    paths.set(name, path);
  }
  return paths;
}

const HOLDER_MARK = 'cgt-pod-holder';

/** A holder left by a crashed run keeps a namespace whose conmons are gone: end it. */
function killStaleHolder(layout: BedLayout): void {
  const file = `${layout.dir}/holder.pid`;
  if (!existsSync(file)) return;
  const pid = Number(readFileSync(file, 'utf8').trim());
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    if (cmdline.includes(HOLDER_MARK) && cmdline.includes(layout.dir)) {
      process.kill(pid, 'SIGKILL');
    }
  } catch {
    // not running
  }
  rmSync(file, { force: true });
}

/** Starts the namespace holder and resolves with its pid once the mounts are in place.
 *  It also exits when this process does, so a crashed test leaves no holder behind. */
async function startHolder(
  mode: CgroupMode,
  layout: BedLayout,
  privateEtc: boolean,
): Promise<number> {
  // A tmpfs runroot: a new namespace is a fresh "boot" for Podman and conmon.
  const script = [
    MODE_MOUNTS[mode],
    privateEtc ? `/bin/mount --bind ${layout.dir}/etc /etc || exit 125` : ':',
    `/bin/mount -t tmpfs -o mode=0700 cgt-pod-run "$1" || exit 125`,
    'echo ready',
    'exec </dev/null >/dev/null 2>&1',
    'while [ -d "/proc/$2" ]; do /bin/sleep 1; done',
  ].join('\n');
  const [cmd, ...args] = UNSHARED_SH;
  const child = spawn(
    cmd,
    [
      ...args,
      script,
      HOLDER_MARK,
      layout.runroot,
      String(process.pid),
      layout.dir, // unused by the script: it marks the cmdline for killStaleHolder
    ],
    { detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const pid = await holderReady(child, 'namespace holder');
  writeFileSync(`${layout.dir}/holder.pid`, `${pid}\n`);
  return pid;
}

/** A tarball of a busybox-static root filesystem. `/lib` and `/lib64` point into `/usr`,
 *  so a container that mounts the host's /usr (the Java daemon) finds its libraries. */
async function buildImageTar(layout: BedLayout): Promise<string> {
  const rootfs = `${layout.dir}/image-rootfs`;
  const tar = `${layout.dir}/busybox.tar`;
  rmSync(rootfs, { recursive: true, force: true });
  for (const d of ['bin', 'etc', 'proc', 'sys', 'dev', 'tmp', 'root', 'usr', 'run', 'var/tmp']) {
    mkdirSync(`${rootfs}/${d}`, { recursive: true });
  }
  const script = [
    'set -e',
    'cd "$1"',
    'cp /bin/busybox bin/busybox',
    'for a in $(bin/busybox --list); do [ "$a" = busybox ] || ln -s busybox "bin/$a"; done',
    'ln -s usr/lib lib',
    'ln -s usr/lib64 lib64',
    'echo "root:x:0:0:root:/root:/bin/sh" > etc/passwd',
    'echo "root:x:0:" > etc/group',
    'chmod 1777 tmp',
    'tar -cf "$2" .',
  ].join('\n');
  const r = await runCommand('/bin/sh', ['-c', script, 'mkimage', rootfs, tar]);
  if (r.code !== 0) throw new Error(`building the busybox image failed: ${r.stderr}`);
  rmSync(rootfs, { recursive: true, force: true });
  return tar;
}
