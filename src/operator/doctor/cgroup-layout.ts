// The host's cgroup layout as doctor reports it: v1, hybrid or v2, and who manages it.

import { hierarchyName } from '../../cgroup/hierarchy.js';
import type { CgroupMount } from '../../proc/mountinfo.js';

export type CgroupMode = 'v1' | 'hybrid' | 'v2' | 'unknown';

export interface CgroupLayout {
  mode: CgroupMode;
  manager: 'systemd' | 'cgroupfs';
  /** v1 hierarchies by their controllers (e.g. "cpu,cpuacct", "name=systemd"). */
  v1Hierarchies: string[];
  /** The cgroup2 mount point, if any. */
  unifiedMount: string | undefined;
  /** Controllers enabled in the cgroup2 hierarchy (cgroup.controllers). */
  unifiedControllers: string[];
}

export function cgroupLayout(
  mounts: readonly CgroupMount[],
  host: { systemdBooted: boolean; readControllers(mountPoint: string): string[] | undefined },
): CgroupLayout {
  const v1 = mounts.filter((m) => m.version === 1);
  const v2 = mounts.find((m) => m.version === 2);
  const v1Hierarchies = [...new Set(v1.map(hierarchyName))].sort();
  let mode: CgroupMode = 'unknown';
  if (v2 && v1.length === 0) mode = 'v2';
  else if (v2 && v1.length > 0) mode = 'hybrid';
  else if (v1.length > 0) mode = 'v1';
  return {
    mode,
    manager: host.systemdBooted ? 'systemd' : 'cgroupfs',
    v1Hierarchies,
    unifiedMount: v2?.mountPoint,
    unifiedControllers: v2 ? (host.readControllers(v2.mountPoint) ?? []) : [],
  };
}
