// A recorder runtime: a sh script that writes its argv and environment (NUL-separated)
// to a file per call, then execs the real runtime. Put in front of crun, behind cgherd, it
// shows exactly what cgherd hands the lower runtime.

import { chmodSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface RecordedCall {
  argv: string[];
  env: Map<string, string>;
}

export interface Recorder {
  /** The script: named `crun`, so cgherd hands it argv[0] `crun` as it would crun. */
  bin: string;
  /** The calls recorded since the last `take`, oldest first; forgets them. */
  take(): RecordedCall[];
}

/** Makes dir/crun recording into dir/rec and exec'ing `real`. No PATH needed. */
export function makeRecorder(dir: string, real: string): Recorder {
  const rec = join(dir, 'rec');
  mkdirSync(rec, { recursive: true });
  const bin = join(dir, 'crun');
  writeFileSync(
    bin,
    '#!/bin/sh\n' +
      `f=${rec}/$(/bin/date +%s%N)-$$\n` +
      'printf \'%s\\0\' "$@" > "$f.argv"\n' +
      '/usr/bin/env -0 > "$f.env"\n' +
      `exec ${real} "$@"\n`,
  );
  chmodSync(bin, 0o755);
  const split = (text: string): string[] => (text === '' ? [] : text.slice(0, -1).split('\0'));
  return {
    bin,
    take(): RecordedCall[] {
      const names = readdirSync(rec)
        .filter((n) => n.endsWith('.argv'))
        .map((n) => n.slice(0, -'.argv'.length))
        .sort((a, b) => (BigInt(a.split('-')[0] ?? 0) < BigInt(b.split('-')[0] ?? 0) ? -1 : 1));
      const calls = names.map((name) => {
        const env = new Map<string, string>();
        for (const entry of split(readFileSync(join(rec, `${name}.env`), 'utf8'))) {
          const eq = entry.indexOf('=');
          env.set(entry.slice(0, eq), entry.slice(eq + 1));
        }
        return { argv: split(readFileSync(join(rec, `${name}.argv`), 'utf8')), env };
      });
      rmSync(rec, { recursive: true, force: true });
      mkdirSync(rec);
      return calls;
    },
  };
}
