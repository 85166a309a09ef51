// How Podman turns a runtime name into a binary: the [engine.runtimes] list a file gives,
// else its built-in list; the first regular file wins. For `cgherd install podman --as NAME`
// and for doctor's report of such a takeover. Pure: the file system comes in as a predicate.

import type { EngineView } from './podman-conf.js';

/**
 * containers/common 0.50 (Podman 4.3.1) built-in [engine.runtimes] lists, used when no
 * file names the runtime (Debian 12's /usr/share/containers/containers.conf has them only
 * as comments). A file that names the runtime replaces its whole list.
 */
export const PODMAN4_RUNTIME_PATHS: Readonly<Record<string, readonly string[]>> = {
  crun: [
    '/usr/bin/crun',
    '/usr/sbin/crun',
    '/usr/local/bin/crun',
    '/usr/local/sbin/crun',
    '/sbin/crun',
    '/bin/crun',
    '/run/current-system/sw/bin/crun',
  ],
  runc: [
    '/usr/bin/runc',
    '/usr/sbin/runc',
    '/usr/local/bin/runc',
    '/usr/local/sbin/runc',
    '/sbin/runc',
    '/bin/runc',
    '/usr/lib/cri-o-runc/sbin/runc',
  ],
  kata: [
    '/usr/bin/kata-runtime',
    '/usr/sbin/kata-runtime',
    '/usr/local/bin/kata-runtime',
    '/usr/local/sbin/kata-runtime',
    '/sbin/kata-runtime',
    '/bin/kata-runtime',
    '/usr/bin/kata-qemu',
    '/usr/bin/kata-fc',
  ],
  runsc: [
    '/usr/bin/runsc',
    '/usr/sbin/runsc',
    '/usr/local/bin/runsc',
    '/usr/local/sbin/runsc',
    '/bin/runsc',
    '/sbin/runsc',
    '/run/current-system/sw/bin/runsc',
  ],
  krun: ['/usr/bin/krun', '/usr/local/bin/krun'],
};

export interface NameResolution {
  name: string;
  /** The candidate list Podman uses for the name, and where it came from. */
  paths: readonly string[];
  from: string;
  /** The first candidate that is a regular file (Podman: os.Stat, IsRegular), if any. */
  resolved: string | undefined;
}

/** Podman's own resolution of a runtime name: its list, first regular file wins. */
export function resolveRuntimeName(
  name: string,
  view: Pick<EngineView, 'runtimes' | 'runtimesFrom'>,
  isRegularFile: (path: string) => boolean,
): NameResolution {
  const fromFile = view.runtimes[name];
  const paths = fromFile ?? PODMAN4_RUNTIME_PATHS[name] ?? [];
  const from = fromFile ? (view.runtimesFrom[name] ?? 'containers.conf') : "Podman's built-in list";
  return { name, paths, from, resolved: paths.find((p) => isRegularFile(p)) };
}

/** A file after ours that names the runtime wins over our drop-in: the takeover would not happen. */
export function laterOverride(
  name: string,
  later: Pick<EngineView, 'runtimes' | 'runtimesFrom'>,
): string | undefined {
  return later.runtimes[name] ? (later.runtimesFrom[name] ?? '?') : undefined;
}
