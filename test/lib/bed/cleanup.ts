// Leaves the host as a test found it: every container, process, cgroup and temp dir that
// carries the test's id prefix goes, in every hierarchy, even after a failed run. Tests call
// cleanupPrefix(prefix) in test.after (and may call it in `finally`).

import { existsSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { removeCgroups } from '../cgroups/cgroups.js';
import { descendants, readPpidTable } from '../scenario/scenario.js';

export { removeCgroups } from '../cgroups/cgroups.js';

/** Where the runtimes keep state when a test gives no --root. */
const DEFAULT_STATE_ROOTS = ['/run/crun', '/run/runc'];
export const TMP = '/tmp';

/** A container's init pid from its state dir: crun's `status` or runc's `state.json`. */
export function statePid(containerDir: string): number | undefined {
  for (const [file, read] of [
    ['status', (j: Record<string, unknown>) => j.pid],
    ['state.json', (j: Record<string, unknown>) => j.init_process_pid],
  ] as const) {
    try {
      const json = JSON.parse(readFileSync(join(containerDir, file), 'utf8')) as Record<
        string,
        unknown
      >;
      const pid = read(json);
      if (typeof pid === 'number' && pid > 0) return pid;
    } catch {
      // not this runtime's layout
    }
  }
  return undefined;
}

/** Container state dirs (`<root>/<id>`) with the prefix in their id, below `dir`. */
function findContainerDirs(dir: string, prefix: string, depth: number): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const found: string[] = [];
  for (const name of names) {
    const path = join(dir, name);
    let isDir = false;
    try {
      isDir = statSync(path).isDirectory();
    } catch {
      continue;
    }
    if (!isDir) continue;
    if (name.includes(prefix) && statePid(path) !== undefined) found.push(path);
    else if (depth > 0) found.push(...findContainerDirs(path, prefix, depth - 1));
  }
  return found;
}

function cgroupMentions(pid: number, prefix: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/cgroup`, 'utf8').includes(prefix);
  } catch {
    return false;
  }
}

/** SIGKILLs a leftover container's init and its descendants. The init is only trusted if
 *  its cgroup still names the prefix (the pid may have been reused since). */
function killContainer(containerDir: string, prefix: string): void {
  const init = statePid(containerDir);
  if (init === undefined || !cgroupMentions(init, prefix)) return;
  const pids = [init, ...descendants(init, readPpidTable())];
  for (const pid of pids) {
    if (pid === process.pid) continue;
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
}

export interface CleanupOptions {
  /** Extra state roots (`--root` dirs) to search for containers with the prefix. */
  stateRoots?: string[];
  /** Keep /tmp/<prefix>* (to look at them after a failure). Default false. */
  keepTempDirs?: boolean;
}

/** Kills every leftover container whose id carries `prefix` (state roots under
 *  /tmp/<prefix>*, /run/crun, /run/runc and opts.stateRoots), removes their state, removes
 *  every cgroup whose path contains the prefix in every hierarchy, then the temp dirs.
 *  Throws if a cgroup could not be removed: a leftover (e.g. an exclusive cpuset) would
 *  break every later container on the host, so it must be loud. */
export async function cleanupPrefix(prefix: string, opts: CleanupOptions = {}): Promise<void> {
  if (!/^[A-Za-z0-9_.-]{5,}$/.test(prefix)) {
    throw new Error(`cleanupPrefix: refusing prefix ${JSON.stringify(prefix)}`);
  }
  const tmpDirs = readdirSync(TMP)
    .filter((n) => n.startsWith(prefix))
    .map((n) => join(TMP, n));
  const roots = [...DEFAULT_STATE_ROOTS, ...(opts.stateRoots ?? [])];
  const containers = [
    ...roots.flatMap((r) => findContainerDirs(r, prefix, 0)),
    ...tmpDirs.flatMap((d) => findContainerDirs(d, prefix, 3)),
  ];
  for (const dir of containers) killContainer(dir, prefix);
  try {
    await removeCgroups(prefix);
  } finally {
    for (const dir of containers) rmSync(dir, { recursive: true, force: true });
    if (!opts.keepTempDirs) {
      for (const dir of tmpDirs) if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
    }
  }
}
