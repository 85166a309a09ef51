// The test bed's fixed points (fixture paths, runtimes, the cgherd launcher) and `inMode`,
// which runs one command under cgroup v1 or v2 on this hybrid host. See facts.md,
// "Hybrid cgroups": crun rejects the host's own layout, so every runtime call goes through
// a private mount namespace that shows exactly one cgroup version.

import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { constants } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCgroupMounts, parseProcCgroup } from '../cgroups/cgroups.js';

export const FIXTURES = '/var/cache/cgherd-testbed';
export const ROOTFS_BUSYBOX = `${FIXTURES}/rootfs-busybox`;

export const RUNTIMES = {
  crun181: '/var/cache/cgherd-testbed/crun-1.8.1/crun',
  crun121NoRoot: '/var/cache/cgherd-testbed/crun-1.21-noroot/crun', // "crun 1.21 without the restore cgroup root"
  crun121: '/var/cache/cgherd-testbed/crun-1.21/crun',
  runc: '/usr/bin/runc', // bookworm's runc 1.1.5
} as const;

/** The repository root: the nearest ancestor of this file holding package.json. */
function findRepoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
}

export const REPO_ROOT = findRepoRoot();
export const CGHERD_BIN = join(REPO_ROOT, 'bin', 'cgherd');

export type CgroupMode = 'v1' | 'v2';
export const MODES: readonly CgroupMode[] = ['v1', 'v2'];

/** The cgroup versions a host's mountinfo shows (pure): a hybrid host has both, a
 *  unified-only host v2 alone. */
export function cgroupVersions(mountinfo: string): Record<CgroupMode, boolean> {
  const mounts = parseCgroupMounts(mountinfo);
  return {
    v1: mounts.some((m) => m.fstype === 'cgroup'),
    v2: mounts.some((m) => m.fstype === 'cgroup2'),
  };
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  /** The runner killed the command at its timeout (code is then 137). */
  timedOut?: boolean;
}

export interface InModeOptions {
  env?: Record<string, string>;
  timeoutMs?: number;
  cwd?: string;
  /** Called with the child's pid. Under inMode the command is exec'd in place (unshare,
   *  then sh, then the command), so this becomes the command's own pid. */
  onSpawn?: (pid: number) => void;
}

const DEFAULT_TIMEOUT_MS = 120_000;

// $0 is a placeholder, $1 the number of leaf cgroups to join, then the leaves, then the
// command. The set-up runs in the namespace's own shell and then execs the command, so the
// command is the process the caller waits for.
const JOIN_LEAVES =
  'n=$1; shift; while [ "$n" -gt 0 ]; do ' +
  'echo $$ > "$1/cgroup.procs" || { echo "inMode: cannot join $1" >&2; exit 125; }; ' +
  'shift; n=$((n - 1)); done; ';
/** Makes the (already private) mount namespace show one cgroup version: v1 drops the
 *  kernel's cgroup2, v2 replaces everything with a cgroup2 alone. Exits 125 on failure,
 *  and for v1 on a host with no v1 hierarchy at all (unified only), which would otherwise
 *  run the command on cgroup v2 under the name v1. */
export const MODE_MOUNTS: Record<CgroupMode, string> = {
  v1:
    "/bin/grep -q ' - cgroup ' /proc/self/mountinfo || " +
    '{ echo "inMode v1: this host has no cgroup v1 hierarchy (unified only)" >&2; exit 125; }; ' +
    'if /bin/mountpoint -q /sys/fs/cgroup/unified; then ' +
    '/bin/umount /sys/fs/cgroup/unified || { echo "inMode v1: umount unified failed" >&2; exit 125; }; fi',
  v2:
    '/bin/umount -R /sys/fs/cgroup && /bin/mount -t cgroup2 cgroup2 /sys/fs/cgroup ' +
    '|| { echo "inMode v2: cannot mount cgroup2 on /sys/fs/cgroup" >&2; exit 125; }',
};
const SETUP_SCRIPT: Record<CgroupMode, string> = {
  v1: `${JOIN_LEAVES}${MODE_MOUNTS.v1}; exec "$@"`,
  v2: `${JOIN_LEAVES}${MODE_MOUNTS.v2}; exec "$@"`,
};

/** The start of an argv that runs a shell script in a fresh private mount namespace. */
export const UNSHARED_SH = [
  '/usr/bin/unshare',
  '-m',
  '--propagation',
  'private',
  '/bin/sh',
  '-c',
] as const;

/** The shared leaf cgroup each mode parks its processes in, in the *other* version's
 *  hierarchies (which the kernel still has, mounted or not). */
export const PARKING: Record<CgroupMode, string> = {
  v1: 'cgherd-testbed-v1',
  v2: 'cgherd-testbed-v2',
};

/** The parking leaves for `mode`: in every hierarchy of the other cgroup version where the
 *  test process sits at the root, a leaf below it (created if missing).
 *
 *  Why: CRIU dumps the cgroups of every hierarchy the kernel lists for a task, mounted or
 *  not, with the whole subtree below the task's cgroup and its properties. A process left
 *  at the root of an unused hierarchy makes CRIU record the root: the root cpuset's
 *  `cpu_exclusive=1`, the unified root's `subtree_control`, and every other test's cgroups
 *  as "children". crun 1.21's restore then re-creates all that under the new path and
 *  fails (`cpu_exclusive: Invalid argument`, `subtree_control: EBUSY`), or leaves an
 *  exclusive cpuset behind. A real v1-only or v2-only host has no such root to record.
 *  A hierarchy where the test process is not at the root (the session's own memory
 *  cgroup) is left alone. */
export function parkingLeaves(mode: CgroupMode): string[] {
  const self = parseProcCgroup(readFileSync('/proc/self/cgroup', 'utf8'));
  const leaves: string[] = [];
  const seen = new Set<string>();
  for (const m of parseCgroupMounts(readFileSync('/proc/self/mountinfo', 'utf8'))) {
    if (seen.has(m.mountPoint)) continue;
    seen.add(m.mountPoint);
    const other = mode === 'v1' ? m.fstype === 'cgroup2' : m.fstype === 'cgroup';
    if (!other) continue;
    const entry =
      m.fstype === 'cgroup2'
        ? self.find((e) => e.hierarchyId === '0' && e.controllers === '')
        : self.find((e) => e.hierarchyId !== '0' && sameControllers(e.controllers, m.superOptions));
    if (entry?.path !== '/') continue;
    const leaf = join(m.mountPoint, PARKING[mode]);
    ensureLeaf(leaf);
    leaves.push(leaf);
  }
  return leaves;
}

/** Does a v1 mount (by its super options, `rw,cpu,cpuacct`) carry exactly these controllers? */
function sameControllers(controllers: string, superOptions: string): boolean {
  const opts = new Set(superOptions.split(','));
  const wanted = controllers.split(',');
  return controllers !== '' && wanted.every((c) => opts.has(c));
}

function ensureLeaf(leaf: string): void {
  try {
    mkdirSync(leaf);
  } catch (err) {
    // Shared by every helper's tests: another one may have made it first.
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  // A new cpuset has no cpus or mems and takes no task until given some.
  const cpus = join(leaf, 'cpuset.cpus');
  if (existsSync(cpus) && readFileSync(cpus, 'utf8').trim() === '') {
    const parent = dirname(leaf);
    writeFileSync(cpus, readFileSync(join(parent, 'cpuset.cpus'), 'utf8').trim());
    writeFileSync(
      join(leaf, 'cpuset.mems'),
      readFileSync(join(parent, 'cpuset.mems'), 'utf8').trim(),
    );
  }
}

/** The argv that runs `cmd args` in a fresh private mount namespace set up for `mode`,
 *  its processes first parked in `leaves` (see parkingLeaves). */
export function inModeArgv(
  mode: CgroupMode,
  cmd: string,
  args: readonly string[],
  leaves: readonly string[] = [],
): string[] {
  return [
    ...UNSHARED_SH,
    SETUP_SCRIPT[mode],
    'in-mode',
    String(leaves.length),
    ...leaves,
    cmd,
    ...args,
  ];
}

/** Runs cmd in a fresh private mount namespace set up for the mode:
 *  v1: /sys/fs/cgroup/unified unmounted; v2: umount -R /sys/fs/cgroup, mount cgroup2 there.
 *  Never throws on non-zero exit. On timeout the whole process group gets SIGKILL and the
 *  result has code 137. Killed by a signal: 128 + signal number. */
export function inMode(
  mode: CgroupMode,
  cmd: string,
  args: readonly string[],
  opts: InModeOptions = {},
): Promise<RunResult> {
  const argv = inModeArgv(mode, cmd, args, parkingLeaves(mode));
  return runCommand(argv[0] as string, argv.slice(1), opts);
}

/** Runs a command outside any namespace game, same result contract as inMode. */
export function runCommand(
  cmd: string,
  args: readonly string[],
  opts: InModeOptions = {},
): Promise<RunResult> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return new Promise((resolve) => {
    const child = spawn(cmd, args, {
      cwd: opts.cwd,
      env: { ...process.env, ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Own process group, so a timeout can kill CRIU and the shell along with the runtime.
      detached: true,
    });
    if (child.pid !== undefined) opts.onSpawn?.(child.pid);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid);
    }, timeoutMs);
    let settled = false;
    const finish = (code: number): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(timedOut ? { code, stdout, stderr, timedOut } : { code, stdout, stderr });
    };
    child.on('error', (err) => {
      stderr += `${String(err)}\n`;
      finish(127);
    });
    // A detached container may keep the pipes open (its stdio is ours until it redirects),
    // so wait for 'exit', then give the pipes a moment to drain instead of waiting for EOF.
    child.on('exit', (code, signal) => {
      const status = timedOut ? 137 : code !== null ? code : 128 + signalNumber(signal);
      let drained = false;
      const done = (): void => {
        if (drained) return;
        drained = true;
        child.stdout.destroy();
        child.stderr.destroy();
        finish(status);
      };
      child.on('close', done);
      // The moment ends in the check phase, after a poll: output already in the pipe is
      // read first. A bare timer could fire first when the loop was busy (load.test's
      // twenty /proc scans at a time) and drop a finished `crun state`'s whole stdout.
      setTimeout(() => setImmediate(done), 200);
    });
  });
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

function signalNumber(signal: NodeJS.Signals | null): number {
  return signal ? (constants.signals[signal] ?? 0) : 0;
}
