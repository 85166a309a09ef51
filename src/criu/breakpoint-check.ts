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

export async function breakpointAnswer(opts: BreakpointCheckOptions): Promise<BreakpointAnswer> {
  const stamp = criuStamp(opts.criuPath);
  if (stamp === undefined) return { record: undefined, source: 'none', none: 'criu is gone' };
  const bootId = readBootId() ?? 'unknown';
  const read = readProbeCache(opts.cachePath);
  let cacheNote: string | undefined;
  if ('record' in read) {
    cacheNote = recordMismatch(read.record, { bootId, criuPath: opts.criuPath, criuStamp: stamp });
    if (cacheNote === undefined) return { record: read.record, source: 'cache' };
  } else if ('ignored' in read) {
    cacheNote = read.ignored;
  }
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
