// The I/O half of engine-compat.ts: create the directories a runc-speaking engine expects
// the runtime to create, the way runc does (one mkdir, mode 0700, an existing one is fine).
// Any other failure is left for the lower runtime to report in its own words, so that a
// call has one error record, not two.

import { mkdirSync } from 'node:fs';

/** Creates each missing directory; returns "DIR: CODE" for each that could not be made. */
export function createMissingDirs(dirs: readonly string[]): string[] {
  const failures: string[] = [];
  for (const dir of dirs) {
    try {
      mkdirSync(dir, { mode: 0o700 });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? String(error);
      if (code !== 'EEXIST') failures.push(`${dir}: ${code}`);
    }
  }
  return failures;
}
