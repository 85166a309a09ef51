// The breakpoint probe's per-boot cache: one small JSON file under /run/cgherd (tmpfs, so
// a reboot empties it, and the boot id in it catches a /run that survived). What it says
// decides what root hands CRIU, so it is read only when root owns it and its directory
// and nobody else may write them (src/trust/owner.ts), and written the way a reader
// never sees half of it: a temporary file in the same directory, fsynced, renamed.

import { closeSync, constants, fstatSync, mkdirSync, openSync, readSync } from 'node:fs';
import { dirname, isAbsolute } from 'node:path';
import { replaceFile } from '../proc/replace-file.js';
import { effectiveUid, pathUntrustedBecause, untrustedBecause } from '../trust/owner.js';
import {
  BREAKPOINT_VERDICTS,
  type BreakpointVerdict,
  type ProbeRecord,
} from './breakpoint-verdict.js';

export const DEFAULT_PROBE_CACHE = '/run/cgherd/criu-breakpoints.json';

/** Tests point cgherd at their own cache file; the trust rules still apply to it. */
export const PROBE_CACHE_VARIABLE = 'CGHERD_CRIU_PROBE_CACHE';

const MAX_BYTES = 4096;

export function probeCachePath(env: Readonly<NodeJS.ProcessEnv>): string {
  const override = env[PROBE_CACHE_VARIABLE];
  return override !== undefined && isAbsolute(override) ? override : DEFAULT_PROBE_CACHE;
}

export type CacheRead = { record: ProbeRecord } | { absent: true } | { ignored: string };

function field(o: Record<string, unknown>, key: string): string | undefined {
  const v = o[key];
  return typeof v === 'string' ? v : undefined;
}

/** Pure: the record in `text`, or why there is none. */
export function parseProbeRecord(text: string): ProbeRecord | string {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return 'it is not JSON';
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return 'not an object';
  const o = data as Record<string, unknown>;
  const bootId = field(o, 'bootId');
  const criuPath = field(o, 'criuPath');
  const criuStamp = field(o, 'criuStamp');
  const verdict = field(o, 'verdict');
  const detail = field(o, 'detail') ?? '';
  const probedAt = field(o, 'probedAt') ?? '';
  const version = o.criuVersion;
  if (!bootId || !criuPath || !criuStamp) return 'bootId, criuPath or criuStamp is missing';
  if (!BREAKPOINT_VERDICTS.includes(verdict as BreakpointVerdict)) {
    return `verdict ${JSON.stringify(verdict)} is not one of ${BREAKPOINT_VERDICTS.join(', ')}`;
  }
  if (version !== undefined && version !== null && typeof version !== 'string') {
    return 'criuVersion is not a string';
  }
  const ms = typeof o.ms === 'number' && Number.isFinite(o.ms) ? o.ms : 0;
  return {
    bootId,
    criuPath,
    criuStamp,
    criuVersion: typeof version === 'string' ? version : undefined,
    verdict: verdict as BreakpointVerdict,
    detail,
    ms,
    probedAt,
  };
}

export function formatProbeRecord(record: ProbeRecord): string {
  return `${JSON.stringify(record, null, 2)}\n`;
}

/** The cache file's record, when it exists, is trusted and parses. Never throws. */
export function readProbeCache(path: string): CacheRead {
  const dirProblem = pathUntrustedBecause(dirname(path));
  if (dirProblem !== undefined) return { ignored: dirProblem };
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { absent: true };
    return { ignored: `cannot read it (${code ?? String(error)})` };
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) return { ignored: 'it is not a regular file' };
    const distrust = untrustedBecause(path, stat, effectiveUid());
    if (distrust !== undefined) return { ignored: distrust };
    if (stat.size > MAX_BYTES) return { ignored: `it is larger than ${MAX_BYTES} bytes` };
    const buffer = Buffer.alloc(MAX_BYTES + 1);
    const n = readSync(fd, buffer, 0, buffer.length, 0);
    const parsed = parseProbeRecord(buffer.subarray(0, n).toString('utf8'));
    return typeof parsed === 'string' ? { ignored: parsed } : { record: parsed };
  } catch (error) {
    return { ignored: `cannot read it (${(error as NodeJS.ErrnoException).code ?? error})` };
  } finally {
    closeSync(fd);
  }
}

/**
 * Writes the record (mode 0644) and returns undefined, or says why it could not. The
 * directory is created 0755 when missing, and nothing is written into one that the
 * trust rules reject: a reader would ignore the file anyway.
 */
export function writeProbeCache(path: string, record: ProbeRecord): string | undefined {
  const dir = dirname(path);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o755 });
  } catch (error) {
    return `cannot write ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`;
  }
  const distrust = pathUntrustedBecause(dir);
  if (distrust !== undefined) return distrust;
  return replaceFile(path, formatProbeRecord(record), 0o644);
}

export function readBootId(): string | undefined {
  try {
    const fd = openSync('/proc/sys/kernel/random/boot_id', 'r');
    try {
      const buffer = Buffer.alloc(64);
      const n = readSync(fd, buffer, 0, buffer.length, 0);
      const id = buffer.subarray(0, n).toString('utf8').trim();
      return id === '' ? undefined : id;
    } finally {
      closeSync(fd);
    }
  } catch {
    return undefined;
  }
}
