// The herd's public face, for the hooks and the operator commands (inspect, repair):
// put every process of a container's init tree into the container's cgroup (the one the
// lower runtime recorded where it exists, else the init's own). `herd` with dryRun is the
// read-only inspection.

import type { HerdOptions } from './types.js';

export type {
  HerdFailure,
  HerdMember,
  HerdMove,
  HerdOptions,
  HerdReport,
  HerdSkip,
  HerdTarget,
} from './types.js';
export { HerdError } from './types.js';
export { herd, DEFAULT_MAX_PASSES, DEFAULT_TIME_LIMIT_MS } from './run.js';
export { describeStrays } from './summary.js';

/** What the lower runtime recorded about a container that the herd uses. */
export interface RecordedContainer {
  startTime?: number;
  cgroupPath?: string;
  cgroupDirs?: readonly string[];
}

/** The herd options that tie a report to the container the runtime knows (init identity
 *  and the cgroup it recorded). */
export function containerHerdOptions(recorded: RecordedContainer): HerdOptions {
  return {
    initStartTime: recorded.startTime,
    containerCgroup: { path: recorded.cgroupPath, dirs: recorded.cgroupDirs },
  };
}
