// Runs the lower runtime as a child with exactly the argv received. Node cannot exec
// in place (no process.execve in Node 20), so cgherd stays the parent: it relays signals
// and mirrors the exit status, 128 + N when the child dies of signal N.

import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { fstatSync } from 'node:fs';
import { basename } from 'node:path';
import { constants } from 'node:os';
import type { ForwardOutcome } from '../call/hook.js';

const RELAYED_SIGNALS: readonly NodeJS.Signals[] = [
  'SIGTERM',
  'SIGINT',
  'SIGHUP',
  'SIGQUIT',
  'SIGUSR1',
  'SIGUSR2',
  'SIGWINCH',
];

/**
 * Node marks every inherited descriptor above 2 close-on-exec, so the ones the container
 * must receive (--preserve-fds N, LISTEN_FDS) are handed on by number, one by one.
 */
function stdioFor(extraFds: number): StdioOptions {
  const stdio: StdioOptions = ['inherit', 'inherit', 'inherit'];
  for (let fd = 3; fd < 3 + extraFds; fd++) stdio.push(isOpen(fd) ? fd : 'ignore');
  return stdio;
}

function isOpen(fd: number): boolean {
  try {
    fstatSync(fd);
    return true;
  } catch {
    return false;
  }
}

function statusOf(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  const number = signal ? constants.signals[signal] : undefined;
  return 128 + (number ?? 0);
}

class SpawnError extends Error {
  override readonly name = 'SpawnError';
}

export function forward(
  lower: string,
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  extraFds: number,
  /** Whether to relay a signal now; a restore holds some (hooks/restore-signals.ts). */
  relays: (signal: NodeJS.Signals) => boolean = () => true,
): Promise<ForwardOutcome> {
  return new Promise((resolve, reject) => {
    // Listening before the child exists: a signal that lands between spawn and the
    // listeners would otherwise kill cgherd with the default action and orphan the child.
    const pending: NodeJS.Signals[] = [];
    const spawned: { child?: ChildProcess } = {};
    const relay = (signal: NodeJS.Signals): void => {
      if (!relays(signal)) return;
      if (spawned.child) spawned.child.kill(signal);
      else pending.push(signal);
    };
    for (const signal of RELAYED_SIGNALS) process.on(signal, relay);
    const stopRelaying = (): void => {
      for (const signal of RELAYED_SIGNALS) process.off(signal, relay);
    };
    const child = spawn(lower, argv, {
      argv0: basename(lower),
      env,
      stdio: stdioFor(extraFds),
    });
    spawned.child = child;
    for (const signal of pending.splice(0)) child.kill(signal);
    child.once('error', (error: NodeJS.ErrnoException) => {
      stopRelaying();
      reject(new SpawnError(`cannot run lower runtime ${lower}: ${error.code ?? error.message}`));
    });
    child.once('exit', (code, signal) => {
      stopRelaying();
      resolve({ status: statusOf(code, signal), signal });
    });
  });
}
