// This boot's answer for one CRIU binary: the cached probe when it fits, else a fresh
// probe, cached for the rest of the boot. Shared by the runtime face and `cgherd doctor`.

import { dirname } from 'node:path';
import { criuStamp, probeCriuVersion, versionText, type CriuVersion } from './criu-binary.js';
import { recordMismatch, type ProbeRecord } from './breakpoint-verdict.js';
import { probeBreakpoints } from './breakpoint-probe.js';
import { readBootId, readProbeCache, writeProbeCache } from './probe-cache.js';

export interface BreakpointAnswer {
  record: ProbeRecord | undefined;
  source: 'cache' | 'probe' | 'none';
  /** Why the cache was not used (absent: nothing to say). */
  cacheNote?: string;
  /** Why the fresh record could not be cached. */
  writeNote?: string;
  /** Why there is no record at all. */
  none?: string;
}

export interface BreakpointCheckOptions {
  criuPath: string;
  cachePath: string;
  timeoutMs: number;
  /** Asked before probing, with `criu --version`'s answer: true skips the probe. */
  skipProbe?(version: CriuVersion | undefined): string | undefined;
}

/** This boot's cached record for one CRIU binary, or why there is none. Never probes. */
export function cachedBreakpointRecord(
  criuPath: string,
  cachePath: string,
): { record: ProbeRecord } | { note: string | undefined } {
  const stamp = criuStamp(criuPath);
  if (stamp === undefined) return { note: 'criu is gone' };
  const read = readProbeCache(cachePath);
  if ('ignored' in read) return { note: read.ignored };
  if (!('record' in read)) return { note: undefined };
  const bootId = readBootId() ?? 'unknown';
  const mismatch = recordMismatch(read.record, { bootId, criuPath, criuStamp: stamp });
  return mismatch === undefined ? { record: read.record } : { note: mismatch };
}

export async function breakpointAnswer(opts: BreakpointCheckOptions): Promise<BreakpointAnswer> {
  const stamp = criuStamp(opts.criuPath);
  if (stamp === undefined) return { record: undefined, source: 'none', none: 'criu is gone' };
  const bootId = readBootId() ?? 'unknown';
  const cached = cachedBreakpointRecord(opts.criuPath, opts.cachePath);
  if ('record' in cached) return { record: cached.record, source: 'cache' };
  const cacheNote = cached.note;
  const note = cacheNote === undefined ? {} : { cacheNote: `${opts.cachePath}: ${cacheNote}` };
  const version = probeCriuVersion(opts.criuPath);
  const skip = opts.skipProbe?.(version);
  if (skip !== undefined) return { record: undefined, source: 'none', none: skip, ...note };
  const outcome = await probeBreakpoints(opts.criuPath, {
    timeoutMs: opts.timeoutMs,
    workDir: dirname(opts.cachePath),
  });
  const record: ProbeRecord = {
    bootId,
    criuPath: opts.criuPath,
    criuStamp: stamp,
    criuVersion: versionText(version),
    verdict: outcome.verdict,
    detail: outcome.detail,
    ms: outcome.ms,
    probedAt: new Date().toISOString(),
  };
  const writeNote = writeProbeCache(opts.cachePath, record);
  return { record, source: 'probe', ...note, ...(writeNote ? { writeNote } : {}) };
}
