// The seed scenario on the systemd host: Podman on its default systemd cgroup manager,
// the Java daemon container (the host's JDK through /opt/host, the busybox image), and
// the checks that hold after every restore. Shell snippets run inside the host.

import { cpSync, mkdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import * as assert from 'uvu/assert';
import { ROOTFS_BUSYBOX, runCommand } from '../bed/bed.js';
import { compileDaemon, javaDaemonCommand, jdkEtc, jdkTool } from './podman-java.js';
import { shQuote } from './podman-conf.js';
import type { SystemdHost, TreeProc } from '../systemd-host.js';

export const IMAGE = 'localhost/bb';

/** The busybox image and (unless `java` is false) the compiled daemon, handed in through
 *  /opt/cgt. */
export async function seedImage(host: SystemdHost, java = true): Promise<void> {
  const tar = join(host.share, 'bb.tar');
  if (!existsSync(tar)) {
    // busybox with /lib and /lib64 pointing into /usr, so that the JVM from the host's
    // /usr (mounted over the image's) finds its loader, as in test/lib/podman/podman.ts.
    const script = [
      'set -e',
      'cp -a "$1" "$2.d"',
      'cd "$2.d"',
      'rm -rf usr lib lib64 && mkdir usr',
      'ln -s usr/lib lib && ln -s usr/lib64 lib64',
      'tar -cf "$2" . && cd / && rm -rf "$2.d"',
    ].join('\n');
    const r = await runCommand('/bin/sh', ['-c', script, 'mkimage', ROOTFS_BUSYBOX, tar]);
    assert.is(r.code, 0, `building the busybox image: ${r.stderr}`);
  }
  if (java) {
    const classes = join(host.share, 'java');
    mkdirSync(classes, { recursive: true });
    await compileDaemon(classes);
  }
  await host.ok(
    `podman image exists ${IMAGE} || podman import -q /opt/cgt/bb.tar ${IMAGE} >/dev/null`,
  );
}

/** Puts one of the crun fixtures built with systemd at /usr/bin/crun, where Podman finds
 *  `crun` (its default runtime) and where `cgherd install podman --as crun` then points. */
export async function useCrun(host: SystemdHost, fixture: string): Promise<void> {
  await host.ok(
    `install -m 755 /opt/crun/${fixture}/crun /usr/bin/crun.new && mv /usr/bin/crun.new /usr/bin/crun`,
  );
}

/** The .deb as a user installs it (Debian's nodejs 18 is in the root). It configures
 *  nothing (the drop-in ships under /usr/share): Podman stays on crun until `--as crun`. */
export async function unpackCgherd(host: SystemdHost, deb: string): Promise<void> {
  cpSync(deb, join(host.share, 'cgherd.deb'));
  await host.ok('dpkg -i /opt/cgt/cgherd.deb >/dev/null');
}

/** The .deb, then `cgherd install podman --as crun`. */
export async function installCgherd(host: SystemdHost, deb: string): Promise<void> {
  await unpackCgherd(host, deb);
  await host.ok('cgherd install podman --as crun >/dev/null');
}

/** `podman run -d` of the Java daemon, as a shell command line. */
export function runJavaCommand(name: string): string {
  const etc = jdkEtc(jdkTool('java'));
  const mounts = [
    '/opt/host/usr:/usr:ro',
    '/opt/host/etc/ld.so.cache:/etc/ld.so.cache:ro',
    '/opt/cgt/java:/fixture:ro',
  ];
  if (etc) mounts.push(`/opt/host${etc}:${etc}:ro`);
  return [
    'podman run -d --name',
    shQuote(name),
    ...mounts.map((m) => `-v ${shQuote(m)}`),
    IMAGE,
    ...javaDaemonCommand().map(shQuote),
    '>/dev/null',
  ].join(' ');
}

/** A plain busybox tree (init, a child, a double-forked setsid daemon with its child). */
export function runTreeCommand(name: string): string {
  const script =
    'sleep 3600 & (setsid sh -c "sleep 3600 & while :; do sleep 3600; done" </dev/null >/dev/null 2>&1 &); while :; do sleep 3600; done';
  return `podman run -d --name ${shQuote(name)} ${IMAGE} sh -c ${shQuote(script)} >/dev/null`;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Waits until the container's tree holds `java` and the JVM's child (two sleeps). */
export async function waitForJava(host: SystemdHost, name: string): Promise<TreeProc[]> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const tree = (await host.trees(name)).get(name) ?? [];
    if (tree.some((p) => p.comm === 'java') && tree.filter((p) => p.comm === 'sleep').length >= 2) {
      return tree;
    }
    if (Date.now() > deadline) {
      assert.unreachable(`${name}: no JVM with its child after 60 s: ${JSON.stringify(tree)}`);
    }
    await sleep(300);
  }
}

export async function containerId(host: SystemdHost, name: string): Promise<string> {
  return (await host.ok(`podman inspect --format '{{.Id}}' ${shQuote(name)}`)).trim();
}

/** Where Podman's systemd manager puts a container's processes: the scope's leaf. */
export function leafOf(id: string): string {
  return `/machine.slice/libpod-${id}.scope/container`;
}

export function describeTree(tree: readonly TreeProc[]): string {
  return tree.map((p) => `${p.pid}:${p.comm}:${p.cgroup}`).join('\n    ');
}

/** Every process of the container in its own scope's leaf (`knownId`: the container's, when the
 *  caller has it already). */
export async function assertInLeaf(
  host: SystemdHost,
  name: string,
  minProcs: number,
  knownId?: string,
): Promise<TreeProc[]> {
  const leaf = leafOf(knownId ?? (await containerId(host, name)));
  const tree = (await host.trees(name)).get(name) ?? [];
  assert.ok(
    tree.length >= minProcs,
    `${name}: expected at least ${minProcs} processes, saw ${tree.length}`,
  );
  const away = tree.filter((p) => p.cgroup !== leaf);
  assert.is(away.length, 0, `${name}: not in ${leaf}:\n    ${describeTree(away)}`);
  return tree;
}

/** The error lines of the CRIU log a failed podman call names (read inside the host). */
export async function criuLogErrors(host: SystemdHost, stderr: string): Promise<string> {
  const path = /CRIU logfile `?([^`\s:]+)/.exec(stderr)?.[1];
  if (!path) return '(no CRIU log named)';
  const r = await host.sh(`grep -E 'Error|Unseizable' ${shQuote(path)} | tail -n 5`);
  return r.stdout;
}

/** Podman passes the runtime no environment: to read what cgherd did, `crun` is pointed at
 *  a two-line wrapper that turns its debug log on (the README's way to run a second
 *  configuration). Returns the log's path inside the host. */
export async function debugCgherd(host: SystemdHost): Promise<string> {
  const log = '/run/cgherd-test/debug.log';
  await host.ok(
    [
      'mkdir -p -m 700 /run/cgherd-test',
      `printf '#!/bin/sh\\nexport DEBUG=cgherd:* CGHERD_DEBUG_LOG=${log}\\nexec /usr/bin/cgherd "$@"\\n' >/usr/local/bin/cgherd-debug`,
      'chmod 755 /usr/local/bin/cgherd-debug',
      `printf '[engine.runtimes]\\ncrun = ["/usr/local/bin/cgherd-debug"]\\n' >/etc/containers/containers.conf.d/60-cgherd-debug.conf`,
    ].join(' && '),
  );
  return log;
}
