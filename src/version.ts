// cgherd's own version, read from package.json next to the installed tree
// (dist/src/version.js → ../../package.json), so there is one place to bump it.

import { readFileSync } from 'node:fs';

function cgherdVersion(): string {
  try {
    const url = new URL('../../package.json', import.meta.url);
    const data = JSON.parse(readFileSync(url, 'utf8')) as { version?: unknown };
    return typeof data.version === 'string' ? data.version : 'unknown';
  } catch {
    return 'unknown';
  }
}

export function versionLine(): string {
  return `cgherd version ${cgherdVersion()}\n`;
}
