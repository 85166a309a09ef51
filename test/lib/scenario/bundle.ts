// OCI bundles for the checkpoint/restore scenarios: a private copy of the busybox rootfs
// and a config.json built by a pure function.
//
// No linux.cgroupsPath by default: crun's cgroupfs manager then uses `/<id>`, so a restore
// under a new id gets a cgroup of its own, as a Podman restore under a new name does. That
// is the case the bug is about (facts: "init in /bug2, the other 7 in /bug1").

import { cpSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOTFS_BUSYBOX, type CgroupMode } from '../bed/bed.js';

export type TreeKind =
  | 'tree8' // init sh with a direct child and a double-forked setsid daemon with a child of its own: 8 processes
  | 'single'; // init only (sleep)

export interface BundleOptions {
  tree: TreeKind;
  mode: CgroupMode;
  cgroupsPath?: string;
  /** default true */
  pidNamespace?: boolean;
  /** A private cgroup namespace, as Podman uses on v2. Default false. */
  cgroupNamespace?: boolean;
}

/** Every process of a tree is told apart by its argv: the shells by their `$0`, the sleeps
 *  by their duration. Durations are long and every sleep loops, so the tree is stable. */
export type Tree8Role =
  | 'init'
  | 'init-sleep'
  | 'child'
  | 'child-sleep'
  | 'daemon'
  | 'daemon-sleep'
  | 'grandchild'
  | 'grandchild-sleep';

const SLEEP_ROLE: Record<string, Tree8Role> = {
  '100001': 'init-sleep',
  '100002': 'child-sleep',
  '100003': 'daemon-sleep',
  '100004': 'grandchild-sleep',
};
const SHELL_ROLES: readonly Tree8Role[] = ['init', 'child', 'daemon', 'grandchild'];

export const TREE8_SIZE = 8;

// The container's stdio is the runtime's until redirected: a pipe to the test would be an
// external resource for CRIU and would keep the test's pipes open.
const QUIET = 'exec </dev/null >/dev/null 2>&1';

const TREE8_SCRIPT = [
  QUIET,
  "/bin/sh -c 'while :; do sleep 100002; done' child &",
  // ( … & ): the subshell exits at once, so the setsid daemon is reparented to init.
  '( setsid /bin/sh -c \'/bin/sh -c "while :; do sleep 100004; done" grandchild & while :; do sleep 100003; done\' daemon & )',
  'while :; do sleep 100001; done',
].join('\n');

export function processArgs(tree: TreeKind): string[] {
  switch (tree) {
    case 'tree8':
      return ['/bin/sh', '-c', TREE8_SCRIPT, 'init'];
    case 'single':
      return ['/bin/sh', '-c', `${QUIET}; exec sleep 100000`];
  }
}

/** The tree8 role of a process, from its argv (`/proc/PID/cmdline` split on NUL). */
export function tree8Role(argv: readonly string[]): Tree8Role | undefined {
  const [cmd, flag, , name] = argv;
  if (cmd === '/bin/sh' && flag === '-c' && argv.length === 4) {
    return SHELL_ROLES.find((r) => r === name);
  }
  if (cmd === 'sleep' && argv.length === 2) return SLEEP_ROLE[argv[1] ?? ''];
  return undefined;
}

const CAPS = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_FOWNER',
  'CAP_FSETID',
  'CAP_KILL',
  'CAP_NET_BIND_SERVICE',
  'CAP_SETFCAP',
  'CAP_SETGID',
  'CAP_SETPCAP',
  'CAP_SETUID',
  'CAP_SYS_CHROOT',
];

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** The config.json for a bundle whose rootfs is `rootfs/` next to it. */
export function buildConfig(opts: BundleOptions): Record<string, Json> {
  const namespaces: Json[] = [
    { type: 'mount' },
    { type: 'network' },
    { type: 'ipc' },
    { type: 'uts' },
  ];
  if (opts.pidNamespace ?? true) namespaces.unshift({ type: 'pid' });
  if (opts.cgroupNamespace ?? false) namespaces.push({ type: 'cgroup' });
  const linux: Record<string, Json> = {
    namespaces,
    maskedPaths: ['/proc/kcore', '/proc/keys', '/proc/timer_list', '/sys/firmware'],
    readonlyPaths: ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'],
  };
  // crun 1.8.1 on v2 turns device rules into an eBPF program, which needs RLIMIT_MEMLOCK
  // raised, which root here may not do (facts). v1 keeps the usual deny-all.
  if (opts.mode === 'v1') linux.resources = { devices: [{ allow: false, access: 'rwm' }] };
  if (opts.cgroupsPath !== undefined) linux.cgroupsPath = opts.cgroupsPath;
  return {
    ociVersion: '1.0.2',
    process: {
      terminal: false,
      user: { uid: 0, gid: 0 },
      args: processArgs(opts.tree),
      env: ['PATH=/bin:/sbin:/usr/bin', 'HOME=/root'],
      cwd: '/',
      capabilities: { bounding: CAPS, effective: CAPS, permitted: CAPS },
      noNewPrivileges: true,
    },
    root: { path: 'rootfs', readonly: false },
    hostname: 'cgt',
    mounts: [
      { destination: '/proc', type: 'proc', source: 'proc' },
      {
        destination: '/dev',
        type: 'tmpfs',
        source: 'tmpfs',
        options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'],
      },
      {
        destination: '/dev/pts',
        type: 'devpts',
        source: 'devpts',
        options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620'],
      },
      {
        destination: '/dev/shm',
        type: 'tmpfs',
        source: 'shm',
        options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'],
      },
      {
        destination: '/sys',
        type: 'sysfs',
        source: 'sysfs',
        options: ['nosuid', 'noexec', 'nodev', 'ro'],
      },
      {
        destination: '/sys/fs/cgroup',
        type: 'cgroup',
        source: 'cgroup',
        options: ['nosuid', 'noexec', 'nodev', 'relatime', 'ro'],
      },
    ],
    linux,
  };
}

/** Makes an OCI bundle in `dir` (created if needed): a copy of the busybox rootfs and a
 *  config.json. Each bundle has its own rootfs, so a restore under a new id can use a new
 *  bundle the way Podman gives the restored container its own. Returns dir. */
export async function makeBundle(dir: string, opts: BundleOptions): Promise<string> {
  if (!existsSync(join(ROOTFS_BUSYBOX, 'bin', 'busybox'))) {
    throw new Error(`${ROOTFS_BUSYBOX} is missing: run test/env/setup.sh (make testbed) as root`);
  }
  mkdirSync(dir, { recursive: true });
  cpSync(ROOTFS_BUSYBOX, join(dir, 'rootfs'), { recursive: true, verbatimSymlinks: true });
  writeFileSync(join(dir, 'config.json'), `${JSON.stringify(buildConfig(opts), null, 2)}\n`);
  return dir;
}
