// Waiting in tests without a fixed sleep: poll a condition until it holds or time runs out.

import { readFileSync } from 'node:fs';

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** True as soon as `what()` holds, polled every 25 ms; after `ms`, its last answer. */
export async function until(what: () => boolean, ms: number): Promise<boolean> {
  for (let t = 0; t < ms; t += 25) {
    if (what()) return true;
    await sleep(25);
  }
  return what();
}

/** `until` for a condition that must be awaited (a runtime's `state`, a placement): true as
 *  soon as `what()` resolves true, polled every 100 ms; after `ms`, its last answer. */
export async function untilAsync(what: () => Promise<boolean>, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await what()) return true;
    await sleep(100);
  }
  return what();
}

/** False once the process has exited, a zombie included: what a test waits for after a
 *  SIGKILL (the kernel has acted on it even if no one has reaped it yet). */
export function living(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // comm may hold spaces and parentheses: the state follows the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}
