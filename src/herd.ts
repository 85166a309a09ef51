// The herd's public face, for the hooks and the operator commands (inspect, repair):
// put every process of a container's init tree into the container's cgroup (the one the
// lower runtime recorded where it exists, else the init's own).

import { findContainerInit, type ContainerInit } from './container/init.js';
import { NodeHost } from './proc/node-host.js';
import type { HostIO } from './proc/host.js';
import { herdWith } from './herd/run.js';
import type { HerdOptions, HerdReport } from './herd/types.js';

export type {
  HerdFailure,
  HerdMember,
  HerdMove,
  HerdOptions,
  HerdReport,
  HerdSkip,
  HerdTarget,
} from './herd/types.js';
export { HerdError } from './herd/types.js';
export { herdWith, DEFAULT_MAX_PASSES, DEFAULT_TIME_LIMIT_MS } from './herd/run.js';
export { describeStrays } from './herd/summary.js';

/** Moves the init's whole tree into the init's cgroup (every mounted hierarchy). */
export function herd(
  initPid: number,
  opts: HerdOptions = {},
  io: HostIO = new NodeHost(),
): HerdReport {
  return herdWith(io, initPid, opts);
}

/** Read-only: the tree, each process's cgroups, the strays, the moves a herd would make. */
export function inspect(
  initPid: number,
  opts: Omit<HerdOptions, 'dryRun'> = {},
  io: HostIO = new NodeHost(),
): HerdReport {
  return herdWith(io, initPid, { ...opts, dryRun: true });
}

/** The herd options that tie a report to the container the runtime knows (init identity
 *  and the cgroup it recorded). */
export function containerOptions(
  init: Pick<ContainerInit, 'startTime' | 'cgroupPath' | 'cgroupDirs'>,
): HerdOptions {
  return {
    initStartTime: init.startTime,
    containerCgroup: { path: init.cgroupPath, dirs: init.cgroupDirs },
  };
}

/**
 * Herd (or, with dryRun, inspect) a container by id, as the hooks do: the init from the
 * lower runtime's state, the target from the cgroup the runtime recorded where it exists.
 * Throws ContainerNotFound or HerdError.
 */
export function herdContainerById(
  runtime: string,
  root: string | undefined,
  id: string,
  opts: HerdOptions = {},
  env: Readonly<NodeJS.ProcessEnv> = process.env,
): HerdReport {
  const init = findContainerInit(runtime, root, id, env);
  return herd(init.pid, { ...containerOptions(init), ...opts });
}

export { findContainerInit, ContainerNotFound, type ContainerInit } from './container/init.js';
