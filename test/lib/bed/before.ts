// uvu runs `test.before` inside a try/finally whose `finally` returns, so an exception
// thrown there is swallowed: the file reports every test as not passed, with no reason.
// `before(test, fn)` prints the reason (message and stack) on stderr, then rethrows, so
// the file still fails and the runner counts it.

import type { Test } from 'uvu';

/** Writes one block naming the failed set-up and its error; exported for the unit test. */
export function describeBeforeFailure(error: unknown): string {
  const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
  return `\n  test.before failed, so no test in this file ran:\n    ${text.split('\n').join('\n    ')}\n`;
}

/** `test.before(fn)`, but a thrown error is printed before uvu swallows it. */
export function before<T>(t: Test<T>, fn: () => unknown): void {
  t.before(async () => {
    try {
      await fn();
    } catch (error) {
      process.stderr.write(describeBeforeFailure(error));
      throw error;
    }
  });
}
