// Where a lower runtime keeps its container state, by the runtime's own rules.

import { basename, join } from 'node:path';

export type RuntimeKind = 'crun' | 'runc' | 'other';

export function runtimeKind(runtime: string): RuntimeKind {
  const name = basename(runtime);
  if (name.includes('runc')) return 'runc';
  if (name.includes('crun') || name.includes('krun')) return 'crun';
  return 'other';
}

/**
 * crun: `--root`, else `$XDG_RUNTIME_DIR/crun` when non-empty, else /run/crun.
 * runc (as root): `--root`, else /run/runc; rootless: `$XDG_RUNTIME_DIR/runc`.
 */
export function stateRoot(
  kind: RuntimeKind,
  root: string | undefined,
  env: Readonly<NodeJS.ProcessEnv>,
  euid: number,
): string | undefined {
  if (root) return root;
  const xdg = env.XDG_RUNTIME_DIR;
  if (kind === 'crun') return xdg ? join(xdg, 'crun') : '/run/crun';
  if (kind === 'runc') return euid !== 0 && xdg ? join(xdg, 'runc') : '/run/runc';
  return undefined;
}

/** The file that names the container's init: crun's `status`, runc's `state.json`. */
export function stateFile(kind: RuntimeKind, root: string, id: string): string | undefined {
  if (id === '' || id.includes('/') || id === '.' || id === '..') return undefined;
  if (kind === 'crun') return join(root, id, 'status');
  if (kind === 'runc') return join(root, id, 'state.json');
  return undefined;
}

export interface StateFields {
  pid: number;
  startTime?: number;
  /** crun: the container's cgroup path (the same in every hierarchy). */
  cgroupPath?: string;
  /** runc: the container's cgroup directories, one per hierarchy (filesystem paths). */
  cgroupDirs?: string[];
}

function numberField(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : undefined;
}

/** The init's pid (and start time, when recorded) from the state file's JSON. */
export function parseStateFile(kind: RuntimeKind, text: string): StateFields | undefined {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof json !== 'object' || json === null) return undefined;
  const record = json as Record<string, unknown>;
  const pid = numberField(kind === 'runc' ? record.init_process_pid : record.pid);
  if (pid === undefined) return undefined;
  const startTime = numberField(
    kind === 'runc' ? record.init_process_start : record['process-start-time'],
  );
  const rawPath = record['cgroup-path'];
  const cgroupPath = typeof rawPath === 'string' && rawPath !== '' ? rawPath : undefined;
  const paths = record.cgroup_paths;
  const cgroupDirs =
    typeof paths === 'object' && paths !== null
      ? Object.values(paths as Record<string, unknown>).filter(
          (v): v is string => typeof v === 'string' && v !== '',
        )
      : undefined;
  return { pid, startTime, cgroupPath, cgroupDirs };
}

/** `<runtime> state ID` output (the OCI state): pid and status. */
export function parseOciState(text: string): { pid: number; status?: string } | undefined {
  try {
    const json = JSON.parse(text) as Record<string, unknown>;
    const pid = numberField(json.pid);
    if (pid === undefined) return undefined;
    return { pid, status: typeof json.status === 'string' ? json.status : undefined };
  } catch {
    return undefined;
  }
}
