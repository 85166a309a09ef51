// Checkpoint + restore as containerd does it (`ctr c checkpoint --task --rw --image`, then
// `ctr c restore --live --rw` under a new id, ctr's own cgroupsPath), of the tree8 busybox
// container, cgroup v1, in a private containerd 1.6.20 (test/lib/containerd/containerd.ts): cgherd
// over crun 1.8.1 against runc 1.1.5, the runtime containerd ships with. Both are
// registered through the same one-line sh wrapper (ctd-wrapper.ts), so the difference is
// cgherd and the runtime under it. Only the checkpoint and the restore are timed; removing
// the old container and the consumed image (containerd 1.6.20 needs that, facts.md) is not.

import {
  processArgs,
  CTD_IMAGE,
  withContainerdBed,
  type ContainerdBed,
  CTD_RUNTIMES,
  type CtdRuntime,
} from './harness.js';
import { median, ratioLine, type Timing } from './measure.js';

const ROUNDS = 8;
const WARMUP = 2;

/** One container lineage: each call checkpoints the current container and restores it
 *  under the next id. Returns the milliseconds of checkpoint + restore. */
class Lineage {
  private n = 0;
  private readonly binary: string;

  constructor(
    private readonly bed: ContainerdBed,
    readonly rt: CtdRuntime,
    private readonly base: string,
  ) {
    this.binary = bed.runtimeBinary(rt, { ownCgroup: false });
  }

  private get current(): string {
    return `${this.base}${this.n}`;
  }

  async start(): Promise<void> {
    await this.bed.ok([
      'run',
      '--detach',
      '--null-io',
      '--runc-binary',
      this.binary,
      CTD_IMAGE,
      this.current,
      ...processArgs('tree8'),
    ]);
  }

  async cycle(): Promise<number> {
    const ref = `cgt/bench-${this.current}:latest`;
    const next = `${this.base}${this.n + 1}`;
    const t0 = process.hrtime.bigint();
    await this.bed.ok(['container', 'checkpoint', '--task', '--rw', '--image', this.current, ref]);
    const t1 = process.hrtime.bigint();
    const errors = await this.bed.remove(this.current);
    if (errors.length > 0) throw new Error(errors.join('\n'));
    const t2 = process.hrtime.bigint();
    await this.bed.ok(['container', 'restore', '--live', '--rw', next, ref]);
    const t3 = process.hrtime.bigint();
    await this.bed.ok(['image', 'rm', '--sync', ref]);
    this.n++;
    return Number(t1 - t0 + (t3 - t2)) / 1e6;
  }

  async stop(): Promise<void> {
    await this.bed.remove(this.current);
  }
}

export async function benchContainerdCycle(lines: string[]): Promise<void> {
  await withContainerdBed('v1', { tag: 'bench' }, async (bed) => {
    const lineages = [
      new Lineage(bed, CTD_RUNTIMES.cgherd181, 'bcg'),
      new Lineage(bed, CTD_RUNTIMES.runc, 'brc'),
    ];
    const samples = lineages.map(() => [] as number[]);
    try {
      for (const l of lineages) await l.start();
      for (let round = -WARMUP; round < ROUNDS; round++) {
        for (const [i, l] of lineages.entries()) {
          const ms = await l.cycle();
          if (round >= 0) samples[i]?.push(ms);
        }
      }
    } finally {
      for (const l of lineages) await l.stop();
    }
    const [cg, rc] = lineages.map((l, i): Timing => ({
      label: l.rt.label,
      samples: samples[i] ?? [],
      medianMs: median(samples[i] ?? []),
    }));
    lines.push(
      ratioLine('containerd checkpoint + restore: cgherd/crun 1.8.1 / runc 1.1.5', cg!, rc!),
    );
    lines.push(
      `  medians: ${cg!.label} ${cg!.medianMs.toFixed(0)} ms, ${rc!.label} ${rc!.medianMs.toFixed(0)} ms (v1, tree8)`,
    );
  });
}
