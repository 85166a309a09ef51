// The herd's public face, for the hooks and the operator commands (inspect, repair):
// put every process of a container's init tree into the init's cgroup.

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
export { summarizeStrays, summarizeFailures } from './herd/summary.js';

/** Moves the init's whole tree into the init's cgroup (every mounted hierarchy). */
export function herd(initPid: number, opts: HerdOptions = {}, io: HostIO = new NodeHost()): HerdReport {
  return herdWith(io, initPid, opts);
}

/** Read-only: the tree, each process's cgroups, the strays, the moves a herd would make. */
export function inspect(initPid: number, io: HostIO = new NodeHost()): HerdReport {
  return herdWith(io, initPid, { dryRun: true });
}
