// When is a CRIU run stalled? Pure, over a clock the caller passes in. Progress is any
// change in what CRIU leaves on disk (its log, the image files): a dump that keeps writing
// pages is slow, not stuck, however long it takes. A run whose files have not changed
// for the whole timeout is stalled.

export interface StallState {
  /** What the watched files looked like at `since`. */
  fingerprint: string;
  /** When that fingerprint was first seen (ms, the caller's clock). */
  since: number;
}

/** The state after one look at the files. */
export function observe(
  prev: StallState | undefined,
  fingerprint: string,
  now: number,
): StallState {
  return prev !== undefined && prev.fingerprint === fingerprint
    ? prev
    : { fingerprint, since: now };
}

export function stalledFor(state: StallState, now: number): number {
  return Math.max(0, now - state.since);
}

export function isStalled(state: StallState, now: number, timeoutMs: number): boolean {
  return timeoutMs > 0 && stalledFor(state, now) >= timeoutMs;
}

/** How often to look: a tenth of the timeout, between 0.1 s and 2 s. */
export function pollInterval(timeoutMs: number): number {
  return Math.min(2000, Math.max(100, Math.floor(timeoutMs / 10)));
}
