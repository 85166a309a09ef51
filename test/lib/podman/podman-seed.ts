// The seed scenario through Podman, shared by the control (bare buggy crun) and the fix
// (cgherd over it): a Java daemon container, `checkpoint --export`, then
// `restore --import --name NEW`, which is a restore under a new id and a new cgroup.

import { readFileSync } from 'node:fs';
import type { RunResult } from '../bed/bed.js';
import type { PodmanBed } from './podman.js';
import { compileDaemon, javaClassDir, javaDaemonArgs, waitForDaemon } from './podman-java.js';
import type { ProcInfo } from './podman-procs.js';

/** Starts the Java daemon container under `runtime` and waits for the JVM and its child. */
export async function startJavaContainer(
  bed: PodmanBed,
  name: string,
  runtime: string,
): Promise<ProcInfo[]> {
  const classDir = javaClassDir(bed);
  await compileDaemon(classDir);
  await bed.ok([
    'run',
    '-d',
    '--runtime',
    runtime,
    '--name',
    name,
    ...javaDaemonArgs(bed.image, classDir),
  ]);
  return waitForDaemon(bed, name);
}

export function exportCheckpoint(bed: PodmanBed, name: string, tar: string): Promise<RunResult> {
  return bed.podman(['container', 'checkpoint', '--export', tar, name]);
}

export function importRestore(bed: PodmanBed, tar: string, newName: string): Promise<RunResult> {
  return bed.podman(['container', 'restore', '--import', tar, '--name', newName]);
}

export async function containerId(bed: PodmanBed, name: string): Promise<string> {
  return (await bed.ok(['inspect', '--format', '{{.Id}}', name])).trim();
}

/** Sorted process names: the shape of a tree, independent of pids. */
export function shape(tree: readonly ProcInfo[]): string {
  return tree
    .map((p) => p.comm)
    .sort()
    .join(' ');
}

/** The error lines of the CRIU log a failed podman call names ("Please check CRIU
 *  logfile PATH"), for assertion messages; read at once, before the container goes. */
export function criuErrors(stderr: string): string {
  const path = /CRIU logfile `?([^`\s:]+)/.exec(stderr)?.[1];
  if (!path) return '(no CRIU log named)';
  try {
    return readFileSync(path, 'utf8')
      .split('\n')
      .filter((l) => /Error|Warn|failed/.test(l))
      .slice(-20)
      .join('\n');
  } catch (err) {
    return `(cannot read ${path}: ${String(err)})`;
  }
}
