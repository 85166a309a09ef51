// Where the lower runtime is, when nothing names it. bin/cgherd's fast path holds the same
// list, generated from this one by tools/gen-launcher-lists.mjs (make build checks it).

import { delimiter, isAbsolute, join } from 'node:path';
import { isExecutableFile } from '../proc/executable.js';

export const STANDARD_LOCATIONS: readonly string[] = [
  '/usr/bin/crun',
  '/usr/local/bin/crun',
  '/usr/sbin/crun',
  '/usr/local/sbin/crun',
  '/bin/crun',
];

/** The first standard location holding crun, then crun on PATH (if there is a PATH). */
export function findDefaultRuntime(envPath: string | undefined): string | undefined {
  for (const candidate of STANDARD_LOCATIONS) {
    if (isExecutableFile(candidate)) return candidate;
  }
  for (const dir of (envPath ?? '').split(delimiter)) {
    if (!isAbsolute(dir)) continue;
    const candidate = join(dir, 'crun');
    if (isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

/** A tool by name: fixed directories first, PATH last (the operator may run from a bare
 *  environment). */
export function findTool(
  name: string,
  dirs: readonly string[],
  envPath: string | undefined,
): string | undefined {
  for (const dir of dirs) {
    const p = join(dir, name);
    if (isExecutableFile(p)) return p;
  }
  for (const dir of (envPath ?? '').split(delimiter)) {
    if (!isAbsolute(dir)) continue;
    const p = join(dir, name);
    if (isExecutableFile(p)) return p;
  }
  return undefined;
}
