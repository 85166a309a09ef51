// Which lower runtime, which version, and can it checkpoint. The parsing is src/criu's
// (one parser for the hooks and doctor); this adds what doctor needs to say about it.

import { parseVersionOutput, type RuntimeVersion } from '../criu/version.js';

export interface RuntimeIdentity {
  name: string;
  /** As printed, e.g. "1.21" or "1.1.15". */
  version: string | undefined;
  /** crun: +CRIU in its feature line; runc: always (it runs the criu binary). */
  criu: boolean;
  firstLine: string;
  parsed: RuntimeVersion | undefined;
}

export function parseRuntimeVersion(path: string, text: string): RuntimeIdentity {
  const firstLine = text.split('\n')[0]?.trim() ?? '';
  const parsed = parseVersionOutput(text);
  const name = parsed?.name ?? path.split('/').at(-1) ?? 'unknown';
  const version = /version\s+v?(\S+)/.exec(firstLine)?.[1];
  const criu = parsed?.criu ?? name === 'runc';
  return { name, version, criu, firstLine, parsed };
}
