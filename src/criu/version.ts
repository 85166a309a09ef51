// The lower runtime's name and version, from `<runtime> --version`. Costs one short
// process (~3 ms for crun), cached per runtime path for the life of the process.

import { spawnSync } from 'node:child_process';
import { basename } from 'node:path';

export interface RuntimeVersion {
  /** 'crun', 'runc', 'youki', ... as the first line names it. */
  name: string;
  /** [major, minor, patch]. */
  version: [number, number, number];
  raw: string;
  /** Built with CRIU support (crun prints +CRIU). undefined when the output does not say. */
  criu?: boolean;
}

/** Pure: parse `crun version 1.8.1` / `runc version 1.1.15` / `youki version 0.3.0`. */
export function parseVersionOutput(text: string): RuntimeVersion | undefined {
  const match = /^\s*([A-Za-z][\w.-]*)\s+version\s+v?(\d+)\.(\d+)(?:\.(\d+))?/m.exec(text);
  if (!match) return undefined;
  const flags = /^[+-]\w/m.test(text) ? /(^|\s)\+CRIU(\s|$)/m.test(text) : undefined;
  return {
    name: (match[1] as string).toLowerCase(),
    version: [Number(match[2]), Number(match[3]), Number(match[4] ?? 0)],
    raw: text.trim(),
    criu: flags,
  };
}

export function compareVersions(
  a: readonly [number, number, number],
  b: readonly [number, number, number],
): number {
  for (let i = 0; i < 3; i++) {
    const d = (a[i] as number) - (b[i] as number);
    if (d !== 0) return d;
  }
  return 0;
}

const cache = new Map<string, RuntimeVersion | undefined>();

export function probeRuntimeVersion(runtime: string): RuntimeVersion | undefined {
  if (cache.has(runtime)) return cache.get(runtime);
  const result = spawnSync(runtime, ['--version'], {
    argv0: basename(runtime),
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
    timeout: 5000,
  });
  const version = result.status === 0 ? parseVersionOutput(result.stdout) : undefined;
  cache.set(runtime, version);
  return version;
}
