// Rootless Podman for the tests (issue 18): a user with /etc/subuid and /etc/subgid ranges,
// a root-owned copy of the built tree (as a package installs it), and `podman` run as that
// user with a HOME, runtime dir, storage and containers.conf of the test's own under
// /tmp/<name>. The system's containers.conf(.d) and the user's real HOME are never read or
// written. stop() removes the containers, the storage (vfs, owned by the subuids) and the
// user's pause process (its pid file is in the test's runtime dir).

import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
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
