// Waiting in tests without a fixed sleep: poll a condition until it holds or time runs out.

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** True as soon as `what()` holds, polled every 25 ms; after `ms`, its last answer. */
export async function until(what: () => boolean, ms: number): Promise<boolean> {
  for (let t = 0; t < ms; t += 25) {
    if (what()) return true;
    await sleep(25);
  }
  return what();
}
