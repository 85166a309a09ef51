// Finds a running container's init for inspect and repair, with the exit code that says
// what went wrong: unknown id (3) or not running (4). The lower runtime's state is read
// once: its state file, and `state ID` for the status.

import { ContainerNotFound, readContainerState } from '../../lower/state.js';
import { readSmallFile } from '../../proc/node-host.js';
import { parseStat } from '../../proc/stat.js';
import { EXIT, OperatorError } from '../exit.js';

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

export function locateContainer(
  runtime: string,
  root: string | undefined,
  id: string,
  env: Readonly<NodeJS.ProcessEnv> = process.env,
): LocatedContainer {
  let found;
  try {
    found = readContainerState({ path: runtime, root }, id, { withStatus: true, env });
  } catch (err) {
    if (!(err instanceof ContainerNotFound)) throw err;
    const notRunning = /not running/.test(err.message);
    const where = root ? ` (state root ${root})` : '';
    throw new OperatorError(
      notRunning ? err.message : `no container ${id}${where} known to ${runtime}`,
      notRunning ? EXIT.NOT_RUNNING : EXIT.NOT_FOUND,
    );
  }
  const status = found.status;
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
