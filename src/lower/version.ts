// The lower runtime's name and version, from `<runtime> --version`: one parser, for the
// restore hook (which needs the number) and for doctor (which also shows the word as
// printed). Probing costs one short process (~3 ms for crun), cached per runtime path for
// the life of the process.

import { spawnSync } from 'node:child_process';
import { basename } from 'node:path';

export interface RuntimeVersion {
  /** 'crun', 'runc', 'youki', ... as the output names it. */
  name: string;
  /** [major, minor, patch]. */
  version: [number, number, number];
  raw: string;
  /** Built with CRIU support (crun prints +CRIU). undefined when the output does not say. */
  criu?: boolean;
}

/** What doctor shows about the lower runtime. */
export interface RuntimeIdentity {
  name: string;
  /** As printed, e.g. "1.21" or "1.1.15". */
  version: string | undefined;
  /** crun: +CRIU in its feature line; runc: always (it runs the criu binary). */
  criu: boolean;
  firstLine: string;
  parsed: RuntimeVersion | undefined;
}

const VERSION_LINE = /^\s*([A-Za-z][\w.-]*)\s+version\s+v?((\d+)\.(\d+)(?:\.(\d+))?\S*)/m;

function parse(text: string): { parsed: RuntimeVersion; printed: string } | undefined {
  const match = VERSION_LINE.exec(text);
  if (!match) return undefined;
  const flags = /^[+-]\w/m.test(text) ? /(^|\s)\+CRIU(\s|$)/m.test(text) : undefined;
  return {
    parsed: {
      name: (match[1] as string).toLowerCase(),
      version: [Number(match[3]), Number(match[4]), Number(match[5] ?? 0)],
      raw: text.trim(),
      criu: flags,
    },
    printed: match[2] as string,
  };
}

/** Pure: parse `crun version 1.8.1` / `runc version 1.1.15` / `youki version 0.3.0`. */
export function parseVersionOutput(text: string): RuntimeVersion | undefined {
  return parse(text)?.parsed;
}

/** Pure: what doctor shows, from the runtime's path and its `--version` output. */
export function identifyRuntime(path: string, text: string): RuntimeIdentity {
  const firstLine = text.split('\n')[0]?.trim() ?? '';
  const found = parse(text);
  const name = found?.parsed.name ?? path.split('/').at(-1) ?? 'unknown';
  const criu = found?.parsed.criu ?? name === 'runc';
  return { name, version: found?.printed, criu, firstLine, parsed: found?.parsed };
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
