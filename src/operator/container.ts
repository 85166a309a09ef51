// Finds a running container's init for inspect and repair, with the exit code that says
// what went wrong: unknown id (3) or not running (4).

import { spawnSync } from 'node:child_process';
import { basename } from 'node:path';
import { ContainerNotFound, findContainerInit } from '../container/init.js';
import { parseOciState } from '../container/state-root.js';
import { readSmallFile } from '../proc/node-host.js';
import { parseStat } from '../proc/stat.js';
import { EXIT, OperatorError } from './exit.js';

export interface LocatedContainer {
  id: string;
  pid: number;
  startTime: number | undefined;
  status: string | undefined;
  runtime: string;
  root: string | undefined;
  /** The container's cgroup as the runtime recorded it: what the hooks herd into. */
  cgroupPath: string | undefined;
  cgroupDirs: string[] | undefined;
}

/** `<runtime> state ID`'s status: created, running, paused, stopped; undefined if unknown. */
function stateStatus(runtime: string, root: string | undefined, id: string): string | undefined {
  const r = spawnSync(runtime, [...(root ? ['--root', root] : []), 'state', id], {
    argv0: basename(runtime),
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 10_000,
  });
  if (r.status !== 0) return undefined;
  return parseOciState(r.stdout)?.status;
}

export function locateContainer(
  runtime: string,
  root: string | undefined,
  id: string,
  env: Readonly<NodeJS.ProcessEnv> = process.env,
): LocatedContainer {
  let found;
  try {
    found = findContainerInit(runtime, root, id, env);
  } catch (err) {
    if (!(err instanceof ContainerNotFound)) throw err;
    const notRunning = /not running/.test(err.message);
    const where = root ? ` (state root ${root})` : '';
    throw new OperatorError(
      notRunning ? err.message : `no container ${id}${where} known to ${runtime}`,
      notRunning ? EXIT.NOT_RUNNING : EXIT.NOT_FOUND,
    );
  }
  const status = stateStatus(runtime, root, id);
  if (status === 'created' || status === 'stopped') {
    throw new OperatorError(`container ${id} is ${status}, not running`, EXIT.NOT_RUNNING);
  }
  const stat = parseStat(readSmallFile(`/proc/${found.pid}/stat`) ?? '');
  const gone = !stat || stat.state === 'Z' || stat.state === 'X';
  if (gone || (found.startTime !== undefined && stat.startTime !== found.startTime)) {
    throw new OperatorError(
      `container ${id} is stopped, not running (init pid ${found.pid} is gone)`,
      EXIT.NOT_RUNNING,
    );
  }
  return {
    id,
    pid: found.pid,
    startTime: found.startTime,
    status,
    runtime,
    root,
    cgroupPath: found.cgroupPath,
    cgroupDirs: found.cgroupDirs,
  };
}
