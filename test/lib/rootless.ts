// Rootless Podman for the tests (issue 18): a user with /etc/subuid and /etc/subgid ranges,
// a root-owned copy of the built tree (as a package installs it), and `podman` run as that
// user with a HOME, runtime dir, storage and containers.conf of the test's own under
// /tmp/<name>. The system's containers.conf(.d) and the user's real HOME are never read or
// written. stop() removes the containers, the storage (vfs, owned by the subuids) and the
// user's pause process (its pid file is in the test's runtime dir).

import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as assert from 'uvu/assert';
import { REPO_ROOT, ROOTFS_BUSYBOX, runCommand, type RunResult } from './bed/bed.js';

export const ROOTLESS_USER = 'cgherd-rootless';
export const ROOTLESS_IMAGE = 'localhost/cgt-rootless-busybox:latest';
const SUBID_RANGE = '300000-365535';

function must(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}${r.stdout}`);
  return r.stdout;
}

/** The test user, made once: no home, no login shell, a subordinate id range of its own. */
export function ensureRootlessUser(): { uid: number; gid: number } {
  if (spawnSync('id', ['-u', ROOTLESS_USER]).status !== 0) {
    must('useradd', ['--no-create-home', '--shell', '/usr/sbin/nologin', ROOTLESS_USER]);
  }
  const listed = (file: string): boolean =>
    readFileSync(file, 'utf8')
      .split('\n')
      .some((line) => line.startsWith(`${ROOTLESS_USER}:`));
  if (!listed('/etc/subuid')) must('usermod', ['--add-subuids', SUBID_RANGE, ROOTLESS_USER]);
  if (!listed('/etc/subgid')) must('usermod', ['--add-subgids', SUBID_RANGE, ROOTLESS_USER]);
  const uid = Number(must('id', ['-u', ROOTLESS_USER]).trim());
  const gid = Number(must('id', ['-g', ROOTLESS_USER]).trim());
  return { uid, gid };
}

/** A root-owned copy of the built tree under `dir`, writable by root alone; its launcher. */
export function installTree(dir: string): string {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'dist'), { recursive: true });
  for (const part of ['bin', 'node_modules', 'schemas', 'package.json']) {
    must('/bin/cp', ['-a', join(REPO_ROOT, part), join(dir, part)]);
  }
  for (const part of ['src', 'hooks']) {
    must('/bin/cp', ['-a', join(REPO_ROOT, 'dist', part), join(dir, 'dist', part)]);
  }
  const manifest = join(REPO_ROOT, 'oclif.manifest.json');
  if (existsSync(manifest)) must('/bin/cp', ['-a', manifest, dir]);
  must('chown', ['-R', '0:0', dir]);
  must('chmod', ['-R', 'go-w', dir]);
  return join(dir, 'bin/cgherd');
}

/** A root-owned `#!/bin/sh` file: exported variables, then exec of `target`. */
export function wrapperScript(path: string, env: Record<string, string>, target: string): void {
  const exports = Object.entries(env).map(([k, v]) => `${k}=${JSON.stringify(v)} `);
  writeFileSync(path, `#!/bin/sh\n${exports.join('')}exec ${target} "$@"\n`);
  chmodSync(path, 0o755);
}

/** containers.conf for rootless Podman on this host: no network namespace, cgroupfs, file
 *  events. `engine` is added to [engine] (runtime lists and the like). */
export function rootlessContainersConf(engine: string): string {
  return [
    '[containers]',
    'netns = "none"',
    'pids_limit = 0',
    'log_driver = "k8s-file"',
    '',
    '[engine]',
    'cgroup_manager = "cgroupfs"',
    'events_logger = "file"',
    engine.trim(),
    '',
  ].join('\n');
}

export class RootlessPodman {
  readonly home: string;
  private readonly run: string;

  private constructor(
    readonly dir: string,
    private readonly ids: { uid: number; gid: number },
    private readonly conf: string,
  ) {
    this.home = join(dir, 'home');
    this.run = join(dir, 'run');
  }

  /** `/tmp/<name>` holds everything; `containersConf` is the whole containers.conf. */
  static async start(name: string, containersConf: string): Promise<RootlessPodman> {
    const ids = ensureRootlessUser();
    const dir = `/tmp/${name}`;
    const conf = join(dir, 'containers.conf');
    const pm = new RootlessPodman(dir, ids, conf);
    await pm.stop();
    mkdirSync(dir, { recursive: true, mode: 0o755 });
    chmodSync(dir, 0o755);
    for (const sub of [pm.home, pm.run]) {
      mkdirSync(sub, { mode: 0o700 });
      must('chown', [`${ids.uid}:${ids.gid}`, sub]);
    }
    writeFileSync(conf, containersConf, { mode: 0o644 });
    writeFileSync(
      join(dir, 'storage.conf'),
      `[storage]\ndriver = "vfs"\nrunroot = "${pm.run}/storage"\ngraphroot = "${pm.home}/storage"\n`,
      { mode: 0o644 },
    );
    const tar = join(dir, 'busybox.tar');
    must('tar', ['-C', ROOTFS_BUSYBOX, '-cf', tar, '.']);
    chmodSync(tar, 0o644);
    const imported = await pm.podman(['import', tar, ROOTLESS_IMAGE]);
    if (imported.code !== 0) throw new Error(`podman import: ${imported.stderr}`);
    return pm;
  }

  /** `podman ARGS` as the test user, with the test's own configuration only. */
  podman(args: string[], timeoutMs = 120_000): Promise<RunResult> {
    return runCommand(
      'setpriv',
      [
        `--reuid=${this.ids.uid}`,
        `--regid=${this.ids.gid}`,
        '--init-groups',
        'env',
        '-i',
        `HOME=${this.home}`,
        `XDG_RUNTIME_DIR=${this.run}`,
        'PATH=/usr/bin:/bin:/usr/sbin:/sbin',
        `CONTAINERS_CONF=${this.conf}`,
        `CONTAINERS_STORAGE_CONF=${join(this.dir, 'storage.conf')}`,
        'CONTAINERS_REGISTRIES_CONF=/dev/null',
        'podman',
        ...args,
      ],
      { timeoutMs, cwd: '/' },
    );
  }

  /** Removes every container, the pause process and the whole directory. */
  async stop(): Promise<void> {
    if (existsSync(join(this.dir, 'containers.conf')) && existsSync(this.home)) {
      await this.podman(['rm', '--all', '--force', '--time', '0'], 60_000).catch(() => undefined);
    }
    const pidFile = join(this.run, 'libpod/tmp/pause.pid');
    try {
      const pid = Number(readFileSync(pidFile, 'utf8').trim());
      if (Number.isInteger(pid) && pid > 1) process.kill(pid, 'SIGKILL');
    } catch {
      // No pause process (never started, or gone).
    }
    // The storage's files belong to the subuids; root removes them as any other.
    rmSync(this.dir, { recursive: true, force: true });
  }
}

// The comparison of issue 18: each command once through the lower runtime alone (the
// control), once through cgherd; stdout, stderr and the exit status must match, with the
// container's name and id read as placeholders. Shared by the hybrid host's test
// (podman-rootless, over runc) and the VM's (podman-vm-seed, over crun on cgroup v2).

export interface Seen {
  code: number;
  out: string;
  err: string;
}

/** One command's result, with `name` (and any 64-hex id) read as placeholders. */
export function seen(r: RunResult, name: string): Seen {
  const norm = (s: string): string =>
    s
      .replaceAll(name, 'NAME')
      .replace(/\b[0-9a-f]{64}\b/g, 'ID')
      .replace(/\b[0-9a-f]{12}\b/g, 'ID')
      .replace(/ (?:\d+|About an?|Less than a) \w+ ago/g, ' N ago')
      .replace(/time="[^"]*"/g, 'time="T"')
      // Podman names the runtime (its name in containers.conf) before the runtime's error.
      .replace(/^Error: (?:runc|cgherd|crun): /gm, 'Error: RUNTIME: ')
      .trim();
  return { code: r.code, out: norm(r.stdout), err: norm(r.stderr) };
}

export type Step = [label: string, args: (name: string) => string[]];

/** The life of one container, every command the issue lists. */
export const LIFE: Step[] = [
  [
    'run -d',
    (n) => ['run', '-d', '--name', n, ROOTLESS_IMAGE, 'sh', '-c', 'echo started; exec sleep 1000'],
  ],
  ['exec', (n) => ['exec', n, 'sh', '-c', 'echo in; id -u; exit 4']],
  ['ps', (n) => ['ps', '--filter', `name=^${n}$`, '--format', '{{.Names}} {{.Status}}']],
  ['inspect', (n) => ['inspect', '--format', '{{.State.Status}} {{.State.ExitCode}}', n]],
  ['logs', (n) => ['logs', n]],
  ['pause', (n) => ['pause', n]],
  ['unpause', (n) => ['unpause', n]],
  ['container checkpoint', (n) => ['container', 'checkpoint', n]],
  ['kill', (n) => ['kill', n]],
  // kill returns before conmon has recorded the exit: wait for it, as a user would.
  ['wait', (n) => ['wait', n]],
  ['inspect after kill', (n) => ['inspect', '--format', '{{.State.Status}}', n]],
  ['start', (n) => ['start', n]],
  ['stop', (n) => ['stop', '--time', '1', n]],
  ['rm', (n) => ['rm', n]],
];

export const RUN_ECHO: Step = [
  'run --rm echo',
  () => ['run', '--rm', ROOTLESS_IMAGE, 'sh', '-c', 'echo hi; id -u'],
];

/** One-shot runs: output and exit status. */
export const ONE_SHOT: Step[] = [
  RUN_ECHO,
  [
    'run --rm exit 3',
    () => ['run', '--rm', ROOTLESS_IMAGE, 'sh', '-c', 'echo out; echo err >&2; exit 3'],
  ],
  ['run --rm missing command', () => ['run', '--rm', ROOTLESS_IMAGE, '/no/such']],
];

export type Lived = Map<string, Seen>;

/** Runs `steps` through `podman` with `--runtime` (if given) on container `name`. */
export async function lifeOf(
  podman: (args: string[]) => Promise<RunResult>,
  runtime: string[],
  name: string,
  steps: readonly Step[],
): Promise<Lived> {
  const out: Lived = new Map();
  for (const [label, args] of steps) {
    const argv = args(name);
    // --runtime belongs right after `run`.
    const full = argv[0] === 'run' ? ['run', ...runtime, ...argv.slice(1)] : argv;
    const s = seen(await podman(full), name);
    console.log(`  ${label} [${runtime.join(' ') || 'default'}]: ${JSON.stringify(s)}`);
    out.set(label, s);
  }
  return out;
}

/** Every step alike; the control really ran (the echo printed, run -d started, the exec's
 *  status came back) and Podman 4.3.1 refused the rootless checkpoint itself. */
export function assertSame(control: Lived, cgherd: Lived, lower: string): void {
  for (const [label, want] of control) {
    assert.equal(cgherd.get(label), want, `${label}: differs from ${lower} alone`);
  }
  assert.is(control.get('run --rm echo')?.out, 'hi\n0');
  assert.is(control.get('run -d')?.code, 0, 'control: run -d');
  assert.is(control.get('exec')?.code, 4, 'control: exec');
  assert.match(
    control.get('container checkpoint')?.err ?? '',
    /checkpointing a container requires root/,
  );
}
