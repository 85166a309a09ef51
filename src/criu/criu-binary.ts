// Which CRIU the lower runtime will run, and which version it is. crun reaches CRIU
// through libcriu, which starts `criu swrk` with execvp: the first `criu` on the PATH the
// runtime was given, or on glibc's default "/bin:/usr/bin" when there is none.

import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { isExecutableFile } from '../proc/executable.js';

export type CriuVersion = readonly [number, number, number];

/** CRIU 4.2 checks that hardware breakpoints work before it relies on them (criu PR 2660). */
export const BREAKPOINT_CHECK_SINCE: CriuVersion = [4, 2, 0];

/** glibc's execvp search path when PATH is unset (confstr _CS_PATH). */
const EXECVP_DEFAULT_PATH = '/bin:/usr/bin';

/** Pure: "Version: 4.1.1" (first line of `criu --version`) → [4, 1, 1]. */
export function parseCriuVersion(text: string): CriuVersion | undefined {
  const m = /^Version:\s*(\d+)\.(\d+)(?:\.(\d+))?/m.exec(text);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)] : undefined;
}

export function compareCriuVersions(a: CriuVersion, b: CriuVersion): number {
  for (let i = 0; i < 3; i++) {
    const d = (a[i] as number) - (b[i] as number);
    if (d !== 0) return d;
  }
  return 0;
}

/** Pure: the version printed as "4.1.1", or undefined. */
export function versionText(v: CriuVersion | undefined): string | undefined {
  return v === undefined ? undefined : v.join('.');
}

/** Pure: "4.1.1" → [4, 1, 1]; what the probe cache stores. */
export function versionFromText(text: string | undefined): CriuVersion | undefined {
  return text === undefined ? undefined : parseCriuVersion(`Version: ${text}`);
}

/**
 * Pure: whether this CRIU lacks its own breakpoint check. An unknown version counts as
 * old: the switch costs a CRIU that has the check nothing but a single-step per task.
 */
export function predatesBreakpointCheck(v: CriuVersion | undefined): boolean {
  return v === undefined || compareCriuVersions(v, BREAKPOINT_CHECK_SINCE) < 0;
}

/** The `criu` execvp would run with this PATH; relative entries are skipped (crun's cwd
 *  is not cgherd's business). */
export function criuOnPath(envPath: string | undefined): string | undefined {
  const dirs = (envPath === undefined ? EXECVP_DEFAULT_PATH : envPath).split(':');
  for (const dir of dirs) {
    if (!isAbsolute(dir)) continue;
    const candidate = join(dir, 'criu');
    if (isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

/**
 * Identifies the binary without running it: device, inode, size and mtime of what the path
 * resolves to. A CRIU upgraded during a boot gets a new stamp, so a cached probe of the old
 * one is not reused for it.
 */
export function criuStamp(path: string): string | undefined {
  try {
    const s = statSync(path);
    return `${s.dev}:${s.ino}:${s.size}:${Math.trunc(s.mtimeMs)}`;
  } catch {
    return undefined;
  }
}

export function probeCriuVersion(path: string): CriuVersion | undefined {
  const r = spawnSync(path, ['--version'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
    timeout: 5000,
    env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' },
  });
  return r.status === 0 ? parseCriuVersion(r.stdout) : undefined;
}
