// Signals during a `restore`. Between CRIU's restore and crun's state record, a signal
// with its default action kills crun 1.8.1 and leaves a running container that no `state`,
// `kill` or `delete` knows; after crun has exited, one kills cgherd half-way through the
// herd. So from just before the lower runtime is spawned until cgherd exits, every signal
// that would end either process and that Node lets a listener catch is held.
//
// A held signal is absorbed: cgherd still exits as soon as its after-hooks are done, with
// the lower runtime's status, as it did for SIGTERM before. Not re-raised: "killed by
// SIGQUIT" for a container crun has recorded as running would make the engine treat a
// restore CRIU completed as failed and clean up a live container. A second termination
// request of the same kind while the lower runtime runs is relayed to it (an operator who
// insists still gets through); after it has exited there is nothing to relay to, and the
// herd finishes first. SIGKILL ends everything at any time.
//
// Not held, and why:
// - SIGKILL, SIGSTOP: cannot be caught (Node refuses a listener: EINVAL).
// - SIGPIPE: Node ignores it from start-up.
// - SIGPROF: V8's sampling profiler's own (--cpu-prof); a listener would take it over.
// - SIGILL, SIGTRAP, SIGABRT, SIGBUS, SIGFPE, SIGSEGV, SIGSYS: faults of the process itself
//   (or Node's own abort); carrying on after one would run in a broken state.
// - Real-time signals: Node offers no listener for them.
// - SIGTSTP, SIGTTIN, SIGTTOU: they stop, they do not kill; SIGCONT resumes the work.

/** Requests to end the process: the first of each is held, a second relayed (see above). */
export const TERMINATION_REQUESTS: readonly NodeJS.Signals[] = [
  'SIGTERM',
  'SIGINT',
  'SIGHUP',
  'SIGQUIT',
];

/**
 * Signals that mean nothing to a runtime and kill it by default: relaying one mid-restore
 * could only orphan the container, so each is held every time. SIGUSR1 also keeps Node's
 * inspector shut (inspector-guard.ts). SIGXCPU and SIGXFSZ are a resource limit's warning:
 * held, the hard limit still ends cgherd (SIGKILL) and an oversized write fails (EFBIG).
 */
export const NEVER_RELAYED: readonly NodeJS.Signals[] = [
  'SIGUSR1',
  'SIGUSR2',
  'SIGALRM',
  'SIGVTALRM',
  'SIGXCPU',
  'SIGXFSZ',
  'SIGIO',
  'SIGPWR',
  'SIGSTKFLT',
];

export const HELD_DURING_RESTORE: readonly NodeJS.Signals[] = [
  ...TERMINATION_REQUESTS,
  ...NEVER_RELAYED,
];

/** What becomes of the `nth` arrival of `signal` while the lower runtime restores. */
export function relayedDuringRestore(signal: NodeJS.Signals, nth: number): boolean {
  if (!HELD_DURING_RESTORE.includes(signal)) return true;
  return TERMINATION_REQUESTS.includes(signal) && nth >= 2;
}

export interface RestoreSignalHold {
  /** For forward(): relay this signal, which has just arrived, to the lower runtime? */
  relays(signal: NodeJS.Signals): boolean;
  /** Every held-class signal that arrived, in order. */
  readonly arrived: readonly NodeJS.Signals[];
}

/**
 * Starts holding; never stops: the listeners stay until cgherd exits, so that no signal
 * between the last after-hook and process.exit() gets its default action either.
 * `onArrival` is told of each one (for the debug log) with whether forward() relays it.
 */
export function holdRestoreSignals(
  onArrival: (signal: NodeJS.Signals, relayed: boolean) => void,
): RestoreSignalHold {
  const arrived: NodeJS.Signals[] = [];
  const count = (signal: NodeJS.Signals): number => arrived.filter((s) => s === signal).length;
  // Registered before forward()'s own listener, so the count already includes this arrival
  // when forward() asks.
  const listener = (signal: NodeJS.Signals): void => {
    arrived.push(signal);
    onArrival(signal, relayedDuringRestore(signal, count(signal)));
  };
  for (const signal of HELD_DURING_RESTORE) process.on(signal, listener);
  return {
    relays: (signal) => relayedDuringRestore(signal, count(signal)),
    arrived,
  };
}
