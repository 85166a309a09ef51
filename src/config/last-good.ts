// The lower runtime a config file named when it last loaded. A broken file must not stop
// teardown, and teardown must reach the runtime that created the container: the standard
// search finds crun, while the file may have named runc or a crun elsewhere (and on a host
// without crun it finds nothing). Every call that loads the file (create, run, restore,
// checkpoint: each container's start) keeps the answer here, one small file per config
// path, written only when it changes; a call that finds the file broken uses it.
//
// Root acts on it, so it lives in a folder proven root's (/run/cgherd), is written 0600
// under a temporary name and renamed, and is read only through a descriptor whose owner
// and mode pass the same check as the config file's.

import {
  closeSync,
  constants,
  existsSync,
  openSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { makeSafeDirectory } from '../trust/directory.js';
import { effectiveUid, fdUntrustedBecause } from '../trust/owner.js';

export const LAST_GOOD_DIR = '/run/cgherd/last-good';

/**
 * Pure: 16 hex digits from the config path (two 32-bit FNV-1a lanes). Only a file name:
 * the record names its config, and a record for another one is not used. Not sha256:
 * loading node:crypto costs every create about 3 ms (docs/measured-facts.md).
 */
export function pathKey(path: string): string {
  let a = 0x811c9dc5;
  let b = 0x9747b28c;
  for (let i = 0; i < path.length; i++) {
    const c = path.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
  }
  return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0');
}

function fileFor(dir: string, configFile: string): string {
  return join(dir, `runtime-${pathKey(configFile)}.json`);
}

interface Record {
  config: string;
  runtime: string;
}

/** The runtime last kept for `configFile`; undefined when none (or not to be trusted). */
export function lastGoodRuntime(configFile: string, dir = LAST_GOOD_DIR): string | undefined {
  let fd: number;
  try {
    fd = openSync(fileFor(dir, configFile), constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch {
    return undefined;
  }
  try {
    if (fdUntrustedBecause(dir, fd) !== undefined) return undefined;
    const record = JSON.parse(readFileSync(fd, 'utf8')) as Partial<Record>;
    if (record.config !== configFile || typeof record.runtime !== 'string') return undefined;
    return isAbsolute(record.runtime) ? record.runtime : undefined;
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/** Keeps `runtime` for `configFile`. Never fails the call: this is a fallback's memory. */
export function rememberRuntime(configFile: string, runtime: string, dir = LAST_GOOD_DIR): void {
  try {
    if (lastGoodRuntime(configFile, dir) === runtime) return;
    const safe = makeSafeDirectory(dir, effectiveUid());
    if ('refused' in safe) return;
    const file = fileFor(safe.real, configFile);
    const temp = `${file}.${process.pid}.tmp`;
    try {
      const record: Record = { config: configFile, runtime };
      writeFileSync(temp, `${JSON.stringify(record)}\n`, { mode: 0o600, flag: 'wx' });
      renameSync(temp, file);
    } finally {
      rmSync(temp, { force: true });
    }
    forgetRemovedConfigs(safe.real);
  } catch {
    // A read-only or full /run: the fallback is then the standard search, as before.
  }
}

/** Records of config files that no longer exist go, whenever a record is written. */
function forgetRemovedConfigs(dir: string): void {
  for (const name of readdirSync(dir)) {
    if (!/^runtime-[0-9a-f]{16}\.json$/.test(name)) continue;
    try {
      const { config } = JSON.parse(readFileSync(join(dir, name), 'utf8')) as Partial<Record>;
      if (typeof config !== 'string' || !existsSync(config)) rmSync(join(dir, name));
    } catch {
      // Another call replaced or removed it: no harm.
    }
  }
}
