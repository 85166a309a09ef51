// The watchdog over one checkpoint or restore: looks at CRIU's files every so often and,
// when nothing has changed for the whole stall timeout, SIGKILLs the CRIU processes below
// cgherd. The lower runtime then fails the call the way it fails any CRIU that died (crun
// 1.8.1: exit 1, "CRIU checkpointing failed -70"); measured with CRIU held at post-dump,
// the container's tasks are let go as CRIU's ptrace ends, and the container keeps running.

import { filesFingerprint, logTail } from './progress.js';
import { killCriuBelow } from './criu-procs.js';
import { isStalled, observe, pollInterval, stalledFor, type StallState } from './stall.js';

export interface Stall {
  /** How long nothing had changed, in ms. */
  quietMs: number;
  /** The CRIU pids that were sent SIGKILL. */
  killed: number[];
  log: { file: string; lines: string[] } | undefined;
}

export interface WatchOptions {
  /** Directories whose files show progress (work path, image path). */
  dirs: readonly string[];
  /** CRIU's log files, the first that exists is quoted. */
  logs: readonly string[];
  timeoutMs: number;
  /** Whose descendants named `criu` are stopped. */
  root: number;
  now?: () => number;
}

export interface Watch {
  /** Stops watching; what happened, if CRIU was stopped. */
  stop(): Stall | undefined;
}

export const LOG_LINES = 5;

export function watchCriu(opts: WatchOptions): Watch {
  const now = opts.now ?? Date.now;
  let state: StallState | undefined = observe(undefined, filesFingerprint(opts.dirs), now());
  let stall: Stall | undefined;
  const timer = setInterval(() => {
    if (state === undefined) return;
    const t = now();
    state = observe(state, filesFingerprint(opts.dirs), t);
    if (!isStalled(state, t, opts.timeoutMs)) return;
    // Keep looking after a stop: a CRIU that shows up later is stopped too.
    const killed = killCriuBelow(opts.root);
    if (killed.length === 0) return;
    stall ??= { quietMs: stalledFor(state, t), killed: [], log: logTail(opts.logs, LOG_LINES) };
    stall.killed.push(...killed);
  }, pollInterval(opts.timeoutMs));
  // The lower runtime keeps cgherd alive; the watchdog alone must not.
  timer.unref();
  return {
    stop(): Stall | undefined {
      clearInterval(timer);
      state = undefined;
      return stall;
    },
  };
}
