// The lower runtime's path rules, computed the way crun computes them, so that cgherd
// looks where crun will:
// - the cgroup path a container gets with the cgroupfs manager (libcrun/cgroup-cgroupfs.c
//   make_cgroup_path, 1.8 to 1.21 alike): no linux.cgroupsPath -> "/<id>"; absolute -> as
//   is; relative -> "/<path>". No `linux` object at all, or an empty path, gives "/" (crun
//   passes ""), which nobody restores into;
// - where a `restore` call's bundle and image are: the bundle defaults to the working
//   directory, and crun chdirs into the bundle before it uses a relative --image-path
//   (default "checkpoint");
// - which file it reads as the OCI config (create.c/run.c/restore.c): `-f/--config FILE` is
//   resolved against the current directory, except the literal "config.json", which crun
//   opens after changing into the bundle; otherwise `<bundle>/config.json`. restore takes
//   no --config.

import { isAbsolute, resolve } from 'node:path';

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

/** linux.cgroupsPath from a parsed config.json; undefined when absent. */
export function cgroupsPathFromConfig(config: unknown): {
  hasLinux: boolean;
  cgroupsPath: string | undefined;
} {
  const linux =
    typeof config === 'object' && config !== null
      ? (config as { linux?: { cgroupsPath?: unknown } }).linux
      : undefined;
  const path = linux?.cgroupsPath;
  return {
    hasLinux: typeof linux === 'object' && linux !== null,
    cgroupsPath: typeof path === 'string' ? path : undefined,
  };
}

/** The options of a `restore` call that say where its files are. */
export interface RestoreLocation {
  bundle: string | undefined;
  imagePath: string | undefined;
}

export function restoreBundle(where: Pick<RestoreLocation, 'bundle'>, cwd: string): string {
  return where.bundle === undefined ? cwd : resolve(cwd, where.bundle);
}

/** The OCI config file the lower runtime will read for create, run or restore. */
export function ociConfigPath(
  where: { config?: string | undefined; bundle?: string | undefined },
  cwd: string,
): string {
  const config = where.config;
  if (config === undefined || config === 'config.json') {
    return resolve(restoreBundle({ bundle: where.bundle }, cwd), 'config.json');
  }
  return resolve(cwd, config);
}

export function restoreImagePath(where: RestoreLocation, cwd: string): string {
  const image = where.imagePath ?? 'checkpoint';
  return isAbsolute(image) ? image : resolve(restoreBundle(where, cwd), image);
}
