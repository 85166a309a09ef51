// Side-by-side timing: the variants of one comparison run interleaved, round after round,
// so that load from anything else on this shared machine hits them alike. Only ratios of
// medians are reported; absolute times here are noise.

import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
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
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('NODE_') && k !== 'OPENSSL_CONF') env[k] = v;
  }
  mustRun(process.execPath, ['-e', '0'], { env });
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

export function ratioLine(name: string, a: Timing, b: Timing, goal?: number): string {
  const ratio = a.medianMs / b.medianMs;
  const verdict =
    goal === undefined
      ? ''
      : ratio <= goal
        ? `  (goal ≤ ${goal}: met)`
        : `  (goal ≤ ${goal}: MISSED)`;
  return `${name.padEnd(58)} ${ratio.toFixed(3)}${verdict}   [${a.samples.length} runs each]`;
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
