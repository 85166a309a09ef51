// Finding a container's init pid from the lower runtime's state: the state file when we
// know its format (no process to start), else `<runtime> state ID`.

import { spawnSync } from 'node:child_process';
import { basename } from 'node:path';
import { readSmallFile } from '../proc/node-host.js';
import {
  parseOciState,
  parseStateFile,
  runtimeKind,
  stateFile,
  stateRoot,
  type StateFields,
} from './state-root.js';

export interface ContainerInit extends StateFields {
  source: 'state-file' | 'state-command';
}

export class ContainerNotFound extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ContainerNotFound';
  }
}

export function findContainerInit(
  runtime: string,
  root: string | undefined,
  id: string,
  env: Readonly<NodeJS.ProcessEnv> = process.env,
): ContainerInit {
  const kind = runtimeKind(runtime);
  const dir = stateRoot(kind, root, env, process.geteuid?.() ?? 0);
  const file = dir === undefined ? undefined : stateFile(kind, dir, id);
  if (file !== undefined) {
    const text = readSmallFile(file);
    const fields = text === undefined ? undefined : parseStateFile(kind, text);
    if (fields) return { ...fields, source: 'state-file' };
  }
  const args = [...(root ? ['--root', root] : []), 'state', id];
  const result = spawnSync(runtime, args, {
    argv0: basename(runtime),
    encoding: 'utf8',
    env: env as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 10_000,
  });
  const state = result.status === 0 ? parseOciState(result.stdout) : undefined;
  if (!state) {
    const why = (result.stderr || result.error?.message || '').trim();
    throw new ContainerNotFound(`container ${id} not found${why ? `: ${why}` : ''}`);
  }
  if (state.status !== undefined && state.status !== 'running' && state.status !== 'paused') {
    throw new ContainerNotFound(`container ${id} is ${state.status}, not running`);
  }
  return { pid: state.pid, source: 'state-command' };
}
