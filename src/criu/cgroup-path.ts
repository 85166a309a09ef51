// The cgroup path a lower runtime gives a container with the cgroupfs manager, computed
// the way crun does (libcrun/cgroup-cgroupfs.c make_cgroup_path, 1.8 to 1.21 alike):
// no linux.cgroupsPath -> "/<id>"; absolute -> as is; relative -> "/<path>". No `linux`
// object at all, or an empty path, gives "/" (crun passes ""), which nobody restores into.

export type CgroupManager = 'cgroupfs' | 'systemd' | 'disabled';

export function crunCgroupfsPath(
  cgroupsPath: string | undefined,
  id: string,
  hasLinux = true,
): string {
  if (!hasLinux) return '/';
  if (cgroupsPath === undefined) return `/${id}`;
  if (cgroupsPath.startsWith('/')) return cgroupsPath;
  return `/${cgroupsPath}`;
}

/** crun: --systemd-cgroup or --cgroup-manager=systemd; --cgroup-manager=disabled. */
export function cgroupManager(globals: {
  systemdCgroup: boolean;
  cgroupManager?: string;
}): CgroupManager {
  if (globals.systemdCgroup || globals.cgroupManager === 'systemd') return 'systemd';
  if (globals.cgroupManager === 'disabled') return 'disabled';
  return 'cgroupfs';
}

/** linux.cgroupsPath from a config.json text; undefined when absent. Throws on bad JSON. */
export function cgroupsPathFromConfig(configText: string): {
  hasLinux: boolean;
  cgroupsPath: string | undefined;
} {
  const config = JSON.parse(configText) as { linux?: { cgroupsPath?: unknown } };
  const linux = config.linux;
  const path = linux?.cgroupsPath;
  return {
    hasLinux: typeof linux === 'object' && linux !== null,
    cgroupsPath: typeof path === 'string' ? path : undefined,
  };
}
