// The Java daemon container: `sh` double-forks a `setsid` JVM (the host's JDK, /usr mounted
// read-only) and the JVM starts a child through ProcessBuilder. The tree that facts.md
// reproduced the bug with through Podman.

import { existsSync, mkdirSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, runCommand } from '../bed/bed.js';
import type { PodmanBed } from './podman.js';
import { processTree, type ProcInfo } from './podman-procs.js';

const SOURCE = join(REPO_ROOT, 'test', 'fixtures', 'java', 'Daemon.java');
const READY = '/tmp/daemon.ready';

/** The host's JDK tool, resolved from /usr/bin (the container sees the same /usr). */
export function jdkTool(tool: 'java' | 'javac'): string {
  try {
    return realpathSync(`/usr/bin/${tool}`);
  } catch {
    throw new Error(`no /usr/bin/${tool}: install a JDK with test/env/podman-packages.sh`);
  }
}

/** Debian's JDK links its conf/ files into /etc/java-<major>-openjdk. */
export function jdkEtc(java: string): string | undefined {
  const major = /\/java-(\d+)-openjdk/.exec(java)?.[1];
  return major ? `/etc/java-${major}-openjdk` : undefined;
}

/** Compiles the daemon into `outDir` unless the class is newer than the source. */
export async function compileDaemon(outDir: string): Promise<void> {
  const cls = join(outDir, 'Daemon.class');
  if (existsSync(cls) && statSync(cls).mtimeMs >= statSync(SOURCE).mtimeMs) return;
  mkdirSync(outDir, { recursive: true });
  const r = await runCommand(jdkTool('javac'), ['-d', outDir, SOURCE], { timeoutMs: 120_000 });
  if (r.code !== 0) throw new Error(`javac ${SOURCE} failed:\n${r.stderr}`);
}

/** `podman run` arguments after `run -d --name X`: mounts, image and command. */
export function javaDaemonArgs(image: string, classDir: string): string[] {
  const etc = jdkEtc(jdkTool('java'));
  const mounts = ['/usr:/usr:ro', '/etc/ld.so.cache:/etc/ld.so.cache:ro'];
  if (etc && existsSync(etc)) mounts.push(`${etc}:${etc}:ro`);
  return [
    ...mounts.flatMap((m) => ['-v', m]),
    '-v',
    `${classDir}:/fixture:ro`,
    image,
    ...javaDaemonCommand(),
  ];
}

/** The container's command: init `sh` double-forks the JVM (classes in /fixture). Shared
 *  by the Podman and the containerd tests, so both run the same tree. */
export function javaDaemonCommand(): string[] {
  const jvm = `${jdkTool('java')} -Xmx64m -XX:+UseSerialGC -XX:-UsePerfData -XX:TieredStopAtLevel=1 -cp /fixture Daemon ${READY}`;
  // The subshell exits at once: the JVM is re-parented to init (a double fork), in its own
  // session. init then waits on one long sleep, so the tree stays still.
  const script = `( setsid ${jvm} </dev/null >/tmp/daemon.log 2>&1 & ); while :; do /bin/sleep 3600; done`;
  return ['/bin/sh', '-c', script];
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The JVM and its child in a tree, if both are there. */
export function findJava(
  tree: readonly ProcInfo[],
): { jvm: ProcInfo; child: ProcInfo } | undefined {
  const jvm = tree.find((p) => p.comm === 'java');
  if (!jvm) return undefined;
  const child = tree.find((p) => p.ppid === jvm.pid && p.comm === 'sleep');
  return child ? { jvm, child } : undefined;
}

/** Waits until the container runs the JVM with its child; returns the whole tree. */
export async function waitForDaemon(
  bed: PodmanBed,
  container: string,
  timeoutMs = 60_000,
): Promise<ProcInfo[]> {
  const init = await bed.initPid(container);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const tree = processTree(init);
    if (findJava(tree)) return tree;
    if (Date.now() > deadline) {
      const log = await bed.podman(['exec', container, '/bin/cat', '/tmp/daemon.log']);
      throw new Error(
        `${container}: no JVM with a child after ${timeoutMs} ms; tree: ` +
          `${tree.map((p) => `${p.pid}:${p.comm}`).join(' ')}\ndaemon.log: ${log.stdout}${log.stderr}`,
      );
    }
    await sleep(250);
  }
}

/** Outlives the bed's scratch, so the class is compiled once per bed name. */
export function javaClassDir(bed: PodmanBed): string {
  return join(bed.dir, 'java');
}
