// The Java daemon as a containerd workload: an image built offline from the busybox rootfs
// plus what the daemon needs (its compiled classes in /fixture, the host's ld.so.cache and
// the JDK's /etc conf files), and the `ctr run` flags that bind-mount the host's /usr
// read-only for the JVM. The tree is the one the Podman tests run (podman-java.ts):
// init `sh` and its `sleep`, the double-forked `setsid` JVM, and the JVM's `sleep` child.

import { cpSync, existsSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { ROOTFS_BUSYBOX } from '../bed/bed.js';
import type { ContainerdBed } from './containerd.js';
import { buildOciArchive } from './ctd-image.js';
import type { CtdWorkload } from './ctd-cycle.js';
import {
  compileDaemon,
  findJava,
  javaDaemonCommand,
  jdkEtc,
  jdkTool,
} from '../podman/podman-java.js';

export const CTD_JAVA_IMAGE = 'docker.io/cgt/java-daemon:latest';

/** sh, its sleep, the JVM, the JVM's child. */
export const JAVA_TREE_SIZE = 4;

/** The bind mount ctr puts in the container's spec (and that the checkpoint keeps). */
export const USR_MOUNT = 'type=bind,src=/usr,dst=/usr,options=rbind:ro';

/** Builds the Java daemon image and imports it into the bed, unless the bed has it. */
export async function importJavaImage(bed: ContainerdBed): Promise<void> {
  // A bed shared by the run's tests (ctd-session.ts) keeps it.
  if ((await bed.ok(['image', 'ls', '-q'])).split('\n').includes(CTD_JAVA_IMAGE)) return;
  const rootfs = bed.scratch('java-rootfs');
  const tar = bed.scratch('java-daemon.tar');
  rmSync(rootfs, { recursive: true, force: true });
  try {
    cpSync(ROOTFS_BUSYBOX, rootfs, { recursive: true, verbatimSymlinks: true });
    // The JVM's ELF interpreter is /lib64/ld-linux-x86-64.so.2: on merged-/usr Debian it
    // and every library live under the /usr that the container mounts.
    for (const [link, target] of [
      ['lib', 'usr/lib'],
      ['lib64', 'usr/lib64'],
    ] as const) {
      if (!existsSync(join(rootfs, link))) symlinkSync(target, join(rootfs, link));
    }
    await compileDaemon(join(rootfs, 'fixture'));
    cpSync('/etc/ld.so.cache', join(rootfs, 'etc', 'ld.so.cache'));
    const etc = jdkEtc(jdkTool('java'));
    if (etc !== undefined && existsSync(etc)) {
      mkdirSync(join(rootfs, etc), { recursive: true });
      cpSync(etc, join(rootfs, etc), { recursive: true, verbatimSymlinks: true });
    }
    await buildOciArchive(rootfs, tar, CTD_JAVA_IMAGE);
    await bed.ok(['image', 'import', tar]);
  } finally {
    rmSync(rootfs, { recursive: true, force: true });
    rmSync(tar, { force: true });
  }
}

/** The workload for ctdCycle: ready once the JVM runs with its child. */
export function javaWorkload(): CtdWorkload {
  return {
    image: CTD_JAVA_IMAGE,
    runFlags: ['--mount', USR_MOUNT],
    args: javaDaemonCommand(),
    size: JAVA_TREE_SIZE,
    settleMs: 60_000,
    ready: (tree) => findJava(tree) !== undefined,
  };
}
