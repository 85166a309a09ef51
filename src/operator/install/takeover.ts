// `cgherd install podman --as NAME`: cgherd takes over one of Podman's runtime names.
// Podman records the runtime's *name* in every container and every exported checkpoint
// archive, and `restore --import` insists on it; registering cgherd under that very name is
// the only way existing containers and foreign archives reach cgherd. Pure: files come in
// as text, the file system as a predicate.

import { validateCgherdConfig } from '../../validate/cgherd-config.js';
import { EXIT, OperatorError } from '../exit.js';
import { RUNTIME_NAME, type EngineView } from './podman-conf.js';

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

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export function checkTakeoverName(name: string): void {
  if (name === RUNTIME_NAME) {
    throw new OperatorError(
      `--as ${RUNTIME_NAME}: that is the plain \`cgherd install podman\`; --as takes another runtime's name (crun, runc)`,
      EXIT.USAGE,
    );
  }
  if (!NAME_RE.test(name)) {
    throw new OperatorError(`--as ${JSON.stringify(name)}: not a runtime name`, EXIT.USAGE);
  }
}

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

/** The lower runtime a takeover of `name` must forward to, or a clear refusal. */
export function takeoverLower(res: NameResolution, isCgherd: (path: string) => boolean): string {
  if (res.paths.length === 0) {
    throw new OperatorError(
      `Podman has no runtime named ${res.name} (no [engine.runtimes] ${res.name} in any containers.conf, and none built in)`,
      EXIT.CONFIG,
    );
  }
  if (res.resolved === undefined) {
    throw new OperatorError(
      `Podman finds no ${res.name}: none of ${res.paths.join(', ')} (${res.from}) exists; install it first`,
      EXIT.CONFIG,
    );
  }
  if (isCgherd(res.resolved)) {
    throw new OperatorError(
      `Podman's ${res.name} (${res.resolved}, from ${res.from}) is already cgherd: cgherd would call itself. ` +
        `Point [engine.runtimes] ${res.name} at the real runtime first`,
      EXIT.CONFIG,
    );
  }
  return res.resolved;
}

/** A file after ours that names the runtime wins over our drop-in: the takeover would not happen. */
export function laterOverride(
  name: string,
  later: Pick<EngineView, 'runtimes' | 'runtimesFrom'>,
): string | undefined {
  return later.runtimes[name] ? (later.runtimesFrom[name] ?? '?') : undefined;
}

const BOM = '\uFEFF';

/**
 * /etc/cgherd/config.json with `runtime` set to the lower runtime, every other key kept in
 * its place. A file that cgherd could not use is refused: nothing is written over it.
 */
export function mergeConfig(existing: string | undefined, path: string, lower: string): string {
  let data: Record<string, unknown> = {};
  if (existing !== undefined && existing.trim() !== '') {
    const text = existing.startsWith(BOM) ? existing.slice(1) : existing;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      throw new OperatorError(
        `${path} is not JSON (${err instanceof Error ? err.message : String(err)}); fix it or move it away first`,
        EXIT.CONFIG,
      );
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new OperatorError(
        `${path}: not a JSON object; fix it or move it away first`,
        EXIT.CONFIG,
      );
    }
    data = parsed as Record<string, unknown>;
  }
  const merged = 'runtime' in data ? { ...data, runtime: lower } : { runtime: lower, ...data };
  const issue = validateCgherdConfig(merged)[0];
  if (issue) {
    throw new OperatorError(
      `${path}: field ${issue.pointer || '(top level)'}: ${issue.message}; fix it first`,
      EXIT.CONFIG,
    );
  }
  return `${JSON.stringify(merged, null, 2)}\n`;
}

/** The `runtime` key of a config.json text, if it has one (for doctor; never throws). */
export function configRuntime(text: string): string | undefined {
  try {
    const data: unknown = JSON.parse(text.startsWith(BOM) ? text.slice(1) : text);
    if (typeof data !== 'object' || data === null || Array.isArray(data)) return undefined;
    const runtime = (data as Record<string, unknown>).runtime;
    return typeof runtime === 'string' ? runtime : undefined;
  } catch {
    return undefined;
  }
}
