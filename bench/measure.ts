// Side-by-side timing: the variants of one comparison run interleaved, round after round,
// so that load from anything else on this shared machine hits them alike. Only ratios of
// medians are reported; absolute times here are noise.

import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { appendFileSync, closeSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ERR_FILE = join(tmpdir(), `cgherd-bench-stderr-${process.pid}`);

export interface Variant {
  label: string;
  /** One timed run; `setup` and `teardown` around it are not timed. */
  run: () => void | Promise<void>;
  setup?: () => void;
  teardown?: () => void;
}

export interface Timing {
  label: string;
  medianMs: number;
  samples: number[];
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export async function interleave(
  variants: readonly Variant[],
  rounds: number,
  warmup = 2,
): Promise<Timing[]> {
  const samples = variants.map(() => [] as number[]);
  for (let round = -warmup; round < rounds; round++) {
    for (const [i, variant] of variants.entries()) {
      variant.setup?.();
      const start = process.hrtime.bigint();
      await variant.run();
      const elapsed = Number(process.hrtime.bigint() - start) / 1e6;
      variant.teardown?.();
      if (round >= 0) samples[i]?.push(elapsed);
    }
  }
  return variants.map((variant, i) => ({
    label: variant.label,
    samples: samples[i] ?? [],
    medianMs: median(samples[i] ?? []),
  }));
}

/**
 * `node -e 0` with the environment cgherd's launcher gives Node: without NODE_* and
 * OPENSSL_CONF (bin/cgherd moves them aside). Measured here: NODE_EXTRA_CA_CERTS alone,
 * set on this machine, makes a bare start-up 52 ms instead of 19, so a baseline that kept
 * it would flatter cgherd.
 */
export function bareNodeStart(): void {
  mustRun(process.execPath, ['-e', '0'], { env: bareNodeEnv() });
}

/** This process's environment without what bin/cgherd moves aside before starting Node. */
export function bareNodeEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('NODE_') && k !== 'OPENSSL_CONF') env[k] = v;
  }
  return env;
}

/** One bare Node start-up, as a variant timed beside others. */
export function oneNodeStart(): Variant {
  return { label: 'node -e 0', run: bareNodeStart };
}

/** Two bare Node start-ups: what a runtime face in Node adds to a checkpoint + restore. */
export function twoNodeStarts(): Variant {
  return {
    label: 'two node -e 0',
    run: () => {
      bareNodeStart();
      bareNodeStart();
    },
  };
}

/**
 * Runs a command to completion; throws if it fails, so a broken variant is never timed.
 * stderr goes to a file, not a pipe: a created container keeps the runtime's stdio open
 * until it starts, and a pipe would never reach end-of-file.
 */
export function mustRun(cmd: string, args: readonly string[], opts: SpawnSyncOptions = {}): void {
  const fd = openSync(ERR_FILE, 'w');
  let r;
  try {
    r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', fd], ...opts });
  } finally {
    closeSync(fd);
  }
  if (r.status !== 0) {
    const err = readFileSync(ERR_FILE, 'utf8');
    throw new Error(`${cmd} ${args.join(' ')} exited ${r.status ?? r.signal}: ${err}`);
  }
}

/**
 * Where each figure with a goal (issue 21) is noted as well, one line each, for the
 * summary `make bench` closes with: the sections run in child processes, one per cgroup
 * version, so they hand their verdicts over in a file (bench/main.ts names it).
 */
export const GOALS_FILE_ENV = 'CGHERD_BENCH_GOALS';

/** `met` or `missed`, printed beside the figure and noted for the summary. */
function verdict(name: string, value: number, goal: number): string {
  const word = value <= goal ? 'met' : 'missed';
  const file = process.env[GOALS_FILE_ENV];
  if (file) {
    appendFileSync(
      file,
      `${name.padEnd(62)} ${value.toFixed(3)}  (goal ≤ ${goal.toFixed(2)}: ${word})\n`,
    );
  }
  return `  (goal ≤ ${goal.toFixed(2)}: ${word})`;
}

export function ratioLine(name: string, a: Timing, b: Timing, goal?: number): string {
  const ratio = a.medianMs / b.medianMs;
  const judged = goal === undefined ? '' : verdict(name, ratio, goal);
  return `${name.padEnd(62)} ${ratio.toFixed(3)}${judged}   [${a.samples.length} runs each]`;
}

/**
 * What a runtime face that starts Node once per command adds at the least: `nodes` is two
 * `node -e 0` timed in the same rounds as a checkpoint + restore through cgherd (`a`) and
 * through crun alone (`b`).
 */
export function nodeFloorLine(a: Timing, b: Timing, nodes: Timing): string {
  const extra = (a.medianMs - b.medianMs) / nodes.medianMs;
  const floor = (b.medianMs + nodes.medianMs) / b.medianMs;
  return (
    `  cgherd's extra time / two node -e 0: ${extra.toFixed(2)}; ` +
    `floor for a Node runtime face, (crun + two node -e 0) / crun: ${floor.toFixed(3)}`
  );
}

/**
 * A checkpoint + restore through cgherd (`a`) against crun alone (`b`), judged against the
 * floor of a runtime face that starts Node once in the pair, (crun + one `node -e 0`) / crun,
 * plus `margin`; `node` is that one start, timed in the same rounds.
 */
export function oneNodeFloorLines(
  name: string,
  a: Timing,
  b: Timing,
  node: Timing,
  margin: number,
): string[] {
  const floor = (b.medianMs + node.medianMs) / b.medianMs;
  const extra = (a.medianMs - b.medianMs) / node.medianMs;
  return [
    ratioLine(name, a, b, floor + margin),
    `  floor, (crun + one node -e 0) / crun: ${floor.toFixed(3)}, goal floor + ${margin}; ` +
      `cgherd's extra time / one node -e 0: ${extra.toFixed(2)}`,
  ];
}
