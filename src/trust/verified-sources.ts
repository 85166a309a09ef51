// Which source files were hashed this boot, and matched the sha256 in their caches' names
// (compiled-script.ts). Hashing needs node:crypto, whose loading alone cost every create
// about 3 ms, a tenth of Node's own start-up; a source that has not changed since it was
// hashed need not be hashed again. "Not changed" is its identity: device, inode, size,
// mtime and ctime (nanoseconds); only root can set a ctime back, and root could as well
// rewrite the name. The record sits with the per-boot code caches and obeys their rules
// (boot-code-cache.ts): root's, in a folder only root can change, or it is not used.

import {
  closeSync,
  constants,
  openSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  writeFileSync,
  type BigIntStats,
} from 'node:fs';
import { join } from 'node:path';
import { BOOT_CODE_CACHE_DIR } from './boot-code-cache.js';
import { makeSafeDirectory, unsafeDirectory } from './directory.js';
import { effectiveUid, fdUntrustedBecause } from './owner.js';

const RECORD = 'verified-sources.json';
const MAX_ENTRIES = 64;

/** Pure: what changes when a file's content can have changed. */
export function fileIdentity(
  stat: Pick<BigIntStats, 'dev' | 'ino' | 'size' | 'mtimeNs' | 'ctimeNs'>,
): string {
  return `${stat.dev}:${stat.ino}:${stat.size}:${stat.mtimeNs}:${stat.ctimeNs}`;
}

type Record = { [path: string]: { identity: string; sha256: string } };

/** The record, or an empty one when there is none or it is not to be trusted. */
function readRecord(dir: string): Record {
  let fd: number;
  try {
    fd = openSync(join(dir, RECORD), constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch {
    return {};
  }
  try {
    const euid = effectiveUid();
    const untrusted =
      fdUntrustedBecause(join(dir, RECORD), fd) ??
      unsafeDirectory(dir, euid) ??
      unsafeDirectory(realpathSync(dir), euid);
    if (untrusted !== undefined) return {};
    const data = JSON.parse(readFileSync(fd, 'utf8')) as unknown;
    return typeof data === 'object' && data !== null && !Array.isArray(data)
      ? (data as Record)
      : {};
  } catch {
    return {};
  } finally {
    closeSync(fd);
  }
}

/** The sha256 recorded this boot for `path` as it is now (`identity`), if any. */
export function verifiedSha256(
  path: string,
  identity: string,
  dir = BOOT_CODE_CACHE_DIR,
): string | undefined {
  const entry = readRecord(dir)[path];
  return entry !== undefined && entry.identity === identity && typeof entry.sha256 === 'string'
    ? entry.sha256
    : undefined;
}

/** Records `sha256` for `path` as it is now. Never fails the call. */
export function recordVerified(
  path: string,
  identity: string,
  sha256: string,
  dir = BOOT_CODE_CACHE_DIR,
): void {
  try {
    const safe = makeSafeDirectory(dir, effectiveUid());
    if ('refused' in safe) return;
    const entries = Object.entries(readRecord(safe.real)).filter(([p]) => p !== path);
    const record = Object.fromEntries([
      ...entries.slice(-(MAX_ENTRIES - 1)),
      [path, { identity, sha256 }],
    ]);
    const file = join(safe.real, RECORD);
    const temp = `${file}.${process.pid}.tmp`;
    try {
      writeFileSync(temp, JSON.stringify(record), { mode: 0o644, flag: 'wx' });
      renameSync(temp, file);
    } finally {
      rmSync(temp, { force: true });
    }
  } catch {
    // A full or read-only /run: the next call hashes again.
  }
}
