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
  /** Resolves with the held script's pid when CRIU reached the stage; rejects after ms. */
  reached(ms?: number): Promise<number>;
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
    async reached(ms = 60_000): Promise<number> {
      const deadline = Date.now() + ms;
      for (;;) {
        const text = existsSync(reachedFile) ? readFileSync(reachedFile, 'utf8').trim() : '';
        if (text !== '') return Number(text);
        if (Date.now() > deadline) throw new Error(`CRIU never reached ${stage} (${script})`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    release(): void {
      writeFileSync(go, '');
    },
  };
}

/** The CRIU process holding the script: the nearest ancestor of the pid the script wrote
 *  that is `criu` or has a `criu` child (crun 1.8.1's CRIU runs scripts so that they are
 *  its siblings, children of crun). */
export function criuNear(scriptPid: number): number | undefined {
  const table = new Map<number, { ppid: number; comm: string }>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      table.set(Number(name), {
        ppid: Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]),
        comm: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')),
      });
    } catch {
      // gone
    }
  }
  let pid = scriptPid;
  for (let i = 0; i < 8 && pid > 1; i++) {
    const me = table.get(pid);
    if (!me) return undefined;
    if (me.comm === 'criu') return pid;
    for (const [child, info] of table) {
      if (info.ppid === pid && info.comm === 'criu') return child;
    }
    pid = me.ppid;
  }
  return undefined;
}

/** pid exists and is not a zombie. */
export function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0] !== 'Z';
  } catch {
    return false;
  }
}

/** Waits until pid is gone or a zombie (up to ms); true if it is. */
export async function gone(pid: number, ms = 20_000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (alive(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}
