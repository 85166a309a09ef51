// V8 code caches made by the Node that runs cgherd, kept per boot in /run/cgherd/code-cache
// (tmpfs). The build's caches (dist/) serve only the Node that built them: V8 rejects a
// cache from another V8 version, so a tree built on Node 20 and run by Debian's Node 18
// compiled the runtime face and the OCI validator from scratch on every call. Then the
// first call of a boot writes the cache of the Node at hand here, and later calls use it.
//
// A cache holds code that root runs, so the rules of the build's caches apply
// (compiled-script.ts): the name carries the sha256 of the source, the file must be root's
// and writable by no one else; and, because this folder is written at run time, the folder
// too, as for every folder root writes into (directory.ts).

import {
  closeSync,
  constants,
  openSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { basename, join } from 'node:path';
import { makeSafeDirectory, unsafeDirectory } from './directory.js';
import { effectiveUid, fdUntrustedBecause, OWNER_ADVICE } from './owner.js';

export const BOOT_CODE_CACHE_DIR = '/run/cgherd/code-cache';

/**
 * Pure: the per-boot name of a build cache `<stem>.<sha256/16>.v8cache`, for this V8 and
 * this Node (whose flags V8 also checks): `<stem>.<sha256/16>.<v8 version>.v8cache`.
 */
export function bootCacheName(buildCacheFile: string, v8Version: string): string {
  const base = basename(buildCacheFile).replace(/\.v8cache$/, '');
  return `${base}.${v8Version.replace(/[^\w.-]/g, '_')}.v8cache`;
}

export function bootCachePath(buildCacheFile: string, dir = BOOT_CODE_CACHE_DIR): string {
  return join(dir, bootCacheName(buildCacheFile, process.versions.v8));
}

/**
 * The per-boot cache's bytes; undefined when there is none. A file or folder that another
 * user can change is refused with an error, as a build cache is.
 */
export function readBootCache(path: string, dir = BOOT_CODE_CACHE_DIR): Buffer | undefined {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch {
    return undefined;
  }
  try {
    const euid = effectiveUid();
    const untrusted =
      fdUntrustedBecause(path, fd) ??
      unsafeDirectory(dir, euid) ??
      unsafeDirectory(realpathSync(dir), euid);
    if (untrusted !== undefined) {
      throw new Error(`refusing the V8 code cache: ${untrusted}; ${OWNER_ADVICE}`);
    }
    return readFileSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Keeps `data` at `path` (in `dir`). Never fails the call: the cache only saves time. */
export function writeBootCache(path: string, data: Buffer, dir = BOOT_CODE_CACHE_DIR): void {
  const safe = (() => {
    try {
      return makeSafeDirectory(dir, effectiveUid());
    } catch {
      return undefined;
    }
  })();
  if (safe === undefined || 'refused' in safe) return;
  const file = join(safe.real, basename(path));
  const temp = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(temp, data, { mode: 0o644, flag: 'wx' });
    renameSync(temp, file);
  } catch {
    // A full or read-only /run: the next call compiles again.
  } finally {
    rmSync(temp, { force: true });
  }
}
