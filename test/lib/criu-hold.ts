// Holds CRIU at one stage of a dump or restore until the test lets go: an action script,
// named in a CRIU config file passed as CRIU_CONFIG_FILE (cgherd carries a caller's file
// into its per-restore one; checkpoint passes the variable through). So a fault can be
// injected at a known point instead of by racing the clock.

import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';

export type CriuStage = 'post-dump' | 'pre-restore' | 'post-restore' | 'pre-resume' | 'post-resume';

export interface CriuHold {
  /** The CRIU config file to pass as CRIU_CONFIG_FILE. */
  config: string;
  /** Resolves when CRIU reached the stage (the script runs); rejects after ms. */
  reached(ms?: number): Promise<void>;
  /** Lets the held script return (it gives up by itself after 30 s). */
  release(): void;
}

export function makeCriuHold(dir: string, stage: CriuStage): CriuHold {
  mkdirSync(dir, { recursive: true });
  const script = join(dir, 'hold.sh');
  const reachedFile = join(dir, 'reached');
  const go = join(dir, 'go');
  writeFileSync(
    script,
    '#!/bin/sh\n' +
      `[ "$CRTOOLS_SCRIPT_ACTION" = ${stage} ] || exit 0\n` +
      `echo $$ > ${reachedFile}\n` +
      `i=0; while [ ! -e ${go} ] && [ $i -lt 300 ]; do /bin/sleep 0.1; i=$((i + 1)); done\n` +
      'exit 0\n',
  );
  chmodSync(script, 0o755);
  const config = join(dir, 'criu.conf');
  writeFileSync(config, `action-script ${script}\n`);
  return {
    config,
    async reached(ms = 60_000): Promise<void> {
      const deadline = Date.now() + ms;
      while (!existsSync(reachedFile)) {
        if (Date.now() > deadline) throw new Error(`CRIU never reached ${stage} (${script})`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    release(): void {
      writeFileSync(go, '');
    },
  };
}

/** Host pids of running `criu` processes whose environment mentions `needle`. */
export function criuProcesses(needle: string): number[] {
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readFileSync(`/proc/${name}/comm`, 'utf8').trim() !== 'criu') continue;
      if (readFileSync(`/proc/${name}/environ`, 'utf8').includes(needle)) found.push(Number(name));
    } catch {
      // gone
    }
  }
  return found;
}

/** Waits until no criu process mentions `needle` (up to ms); returns how many remain. */
export async function criuGone(needle: string, ms = 20_000): Promise<number> {
  const deadline = Date.now() + ms;
  for (;;) {
    const left = criuProcesses(needle);
    if (left.length === 0 || Date.now() > deadline) return left.length;
    await new Promise((r) => setTimeout(r, 50));
  }
}
