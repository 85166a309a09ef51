// A container's state as the lower runtime keeps it: the state file when its format is
// known (no process to start), and `<runtime> state ID` only when the file cannot answer,
// or when the caller needs the status (created, running, ...), which only the command
// computes. Either way the command runs at most once per call.

import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { basename } from 'node:path';
import { NodeHost, readSmallFile } from '../proc/node-host.js';
import { provePidNamespaceInit } from '../proc/ns-init.js';
import {
  parseOciState,
  parseStateFile,
  runtimeKind,
  stateFile,
  stateRoot,
  type StateFields,
} from './state-root.js';

/** Which lower runtime, with which state root (its --root; undefined: its default). */
export interface LowerRuntime {
  path: string;
  root: string | undefined;
}

export interface ContainerState extends StateFields {
  /** From `state ID`: created, running, paused, stopped; undefined when not asked or unknown. */
  status?: string;
}

export class ContainerNotFound extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ContainerNotFound';
  }
}

/** The init named by a state without a start time cannot be proven to be the container's. */
export class InitNotProven extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InitNotProven';
  }
}

/**
 * The state with the init's start time: as recorded, or, when the runtime recorded none,
 * read from the init once it is proven to be a pid namespace's init (see ns-init.ts).
 * Throws InitNotProven otherwise: the herd is then not run at all (the hooks forward the
 * command untouched, with a debug line), rather than run on a pid that may be reused.
 */
function withInitStartTime<T extends StateFields>(state: T): T {
  if (state.startTime !== undefined) return state;
  const io = new NodeHost();
  try {
    const proof = provePidNamespaceInit(io, state.pid);
    if ('refused' in proof) throw new InitNotProven(proof.refused);
    return { ...state, startTime: proof.startTime };
  } finally {
    io.close();
  }
}

function runState(
  lower: LowerRuntime,
  id: string,
  env: Readonly<NodeJS.ProcessEnv>,
): SpawnSyncReturns<string> {
  return spawnSync(lower.path, [...(lower.root ? ['--root', lower.root] : []), 'state', id], {
    argv0: basename(lower.path),
    encoding: 'utf8',
    env: env as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 10_000,
  });
}

/**
 * The container's init (pid, start time, recorded cgroup) and, with `withStatus`, its
 * status. Throws ContainerNotFound when neither the file nor the command knows a running
 * container of that id, InitNotProven when the init has no start time to hold it to.
 */
export function readContainerState(
  lower: LowerRuntime,
  id: string,
  opts: { withStatus?: boolean; env?: Readonly<NodeJS.ProcessEnv> } = {},
): ContainerState {
  const env = opts.env ?? process.env;
  const kind = runtimeKind(lower.path);
  const dir = stateRoot(kind, lower.root, env, process.geteuid?.() ?? 0);
  const file = dir === undefined ? undefined : stateFile(kind, dir, id);
  const text = file === undefined ? undefined : readSmallFile(file);
  const fields = text === undefined ? undefined : parseStateFile(kind, text);
  if (fields && !opts.withStatus) return withInitStartTime(fields);
  const result = runState(lower, id, env);
  const state = result.status === 0 ? parseOciState(result.stdout) : undefined;
  if (fields) return withInitStartTime({ ...fields, status: state?.status });
  if (!state) {
    const why = (result.stderr || result.error?.message || '').trim();
    throw new ContainerNotFound(`container ${id} not found${why ? `: ${why}` : ''}`);
  }
  if (state.status !== undefined && state.status !== 'running' && state.status !== 'paused') {
    throw new ContainerNotFound(`container ${id} is ${state.status}, not running`);
  }
  return withInitStartTime({ pid: state.pid, status: state.status });
}
