// A test that shows a bug whose fix needs src/ (FIXME(src) in the test says which): kept,
// but skipped with its reason printed, so the suite stays green until the fix lands.
// CGT_RUN_FIXME=1 runs it (and shows it failing); once src/ is fixed, drop the wrapper.

import type { Test } from 'uvu';

export function fixme<T>(t: Test<T>, name: string, reason: string, fn: () => Promise<void>): void {
  if (process.env.CGT_RUN_FIXME) {
    t(name, fn);
    return;
  }
  console.log(`  skipped "${name}": FIXME(src): ${reason} (CGT_RUN_FIXME=1 runs it)`);
  t.skip(name);
}
