// Load: 20 tree8 containers checkpointed and restored in parallel under new ids, 5 rounds,
// through cgherd over crun 1.8.1 against crun 1.21 alone (which needs no herd), on v1 and
// v2. Each pair runs back to back, cgherd first on even repeats, crun first on odd ones.
// Runs from the host: every call makes its own namespace (test/lib/bed/bed.ts, inMode).
// The counts that must be 0 are asserted in test/integration/load.test.ts; here they are
// printed beside the times, so a fast but wrong run cannot pass as a good figure.

import {
  MODES,
  RUNTIMES,
  describeLoad,
  runLoad,
  type LoadReport,
  bare,
  viaCgherd,
} from './harness.js';

const CONTAINERS = Number(process.env.CGT_LOAD_CONTAINERS ?? 20);
const ROUNDS = Number(process.env.CGT_LOAD_ROUNDS ?? 5);
const REPEATS = Number(process.env.CGT_LOAD_REPEATS ?? 1);

function clean(r: LoadReport): boolean {
  return (
    r.failedCheckpoints + r.failedRestores + r.lost + r.strays === 0 &&
    r.leftoverCgroups.length === 0 &&
    r.frozen.length === 0
  );
}

export async function benchLoad(lines: string[]): Promise<void> {
  const cgherd = viaCgherd(RUNTIMES.crun181, 'cgherd over crun 1.8.1');
  const crun = bare(RUNTIMES.crun121, 'crun 1.21 alone');
  for (const mode of MODES) {
    const times = { cgherd: [] as number[], crun: [] as number[] };
    for (let i = 0; i < REPEATS; i++) {
      const order = i % 2 === 0 ? (['cgherd', 'crun'] as const) : (['crun', 'cgherd'] as const);
      for (const which of order) {
        const rt = which === 'cgherd' ? cgherd : crun;
        const r = await runLoad(mode, rt, `cgt-bench-load-${which}-`, CONTAINERS, ROUNDS);
        lines.push(`${describeLoad(r)}${clean(r) ? '' : `  NOT CLEAN: ${r.errors.join(' | ')}`}`);
        times[which].push(r.ms);
      }
    }
    const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
    const ratio = sum(times.cgherd) / sum(times.crun);
    lines.push(
      `load ${mode}: ${CONTAINERS} x ${ROUNDS} rounds, wall time cgherd/crun 1.8.1 ` +
        `${sum(times.cgherd)} ms vs crun 1.21 ${sum(times.crun)} ms: ratio ${ratio.toFixed(2)}`,
    );
  }
}
