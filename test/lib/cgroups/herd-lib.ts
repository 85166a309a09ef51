// Shared steps of the herd's integration tests (not a test file itself): checkpoint/restore
// cycles through a runtime under test, checking after each restore that the whole tree is
// in the init's cgroup and that no process was lost.

import * as assert from 'uvu/assert';
import { TREE8_SIZE } from '../scenario/bundle.js';
import { Scenario, type RuntimeUnderTest } from '../scenario/scenario.js';
import type { CgroupMode } from '../bed/bed.js';

export interface CycleOutcome {
  /** Number of checkpoint+restore cycles that fully succeeded. */
  completed: number;
  /** What failed first, if anything. */
  failure?: { cycle: number; step: 'checkpoint' | 'restore' | 'placement'; detail: string };
  /** dump.log of a failed checkpoint. */
  dumpLog?: string;
  /** Tree size after each restore. */
  sizes: number[];
  /** Number of strays (or processes outside the container's cgroup) after each restore. */
  misplaced: number[];
  ms: number;
}

let serial = 0;

/**
 * run tree8, then `cycles` times: checkpoint -> restore under a new id (own bundle, as
 * Podman does) or the same id. Stops at the first failure and says where.
 */
export async function runCycles(
  mode: CgroupMode,
  rt: RuntimeUnderTest,
  prefix: string,
  idKind: 'new' | 'same',
  cycles: number,
  opts: {
    checkPlacement?: boolean;
    cgroupNamespace?: boolean;
    /** Each CRIU log as it is written (`dump 1`, `restore 1`, …): which CRIU ran. */
    onCriuLog?: (label: string, log: string) => void;
  } = {},
): Promise<CycleOutcome> {
  const checkPlacement = opts.checkPlacement ?? true;
  const started = Date.now();
  const sc = new Scenario(mode, rt, prefix);
  const n = serial++;
  const idFor = (i: number): string =>
    idKind === 'same' || i === 0 ? `${prefix}${n}x0` : `${prefix}${n}x${i}`;
  const sizes: number[] = [];
  const misplaced: number[] = [];
  const done = (outcome: Omit<CycleOutcome, 'ms' | 'sizes' | 'misplaced'>): CycleOutcome => ({
    ...outcome,
    sizes,
    misplaced,
    ms: Date.now() - started,
  });
  try {
    const bundles = new Map<string, string>();
    const bundleFor = async (id: string): Promise<string> => {
      let b = bundles.get(id);
      if (!b) {
        b = await sc.bundle(`bundle-${id}`, {
          tree: 'tree8',
          cgroupNamespace: opts.cgroupNamespace,
        });
        bundles.set(id, b);
      }
      return b;
    };
    const first = idFor(0);
    const run = await sc.run(first, await bundleFor(first));
    assert.is(run.code, 0, `${rt.label} ${mode}: run failed: ${run.stderr}`);
    await sc.waitForTree(first, TREE8_SIZE);
    for (let i = 1; i <= cycles; i++) {
      const from = idFor(i - 1);
      const to = idFor(i);
      const image = sc.path(`image${i}`);
      const dump = await sc.checkpoint(from, image);
      if (opts.onCriuLog) opts.onCriuLog(`dump ${i}`, await sc.dumpLog(image).catch(() => ''));
      if (dump.code !== 0) {
        const dumpLog = await sc.dumpLog(image).catch(() => '');
        return done({
          completed: i - 1,
          failure: { cycle: i, step: 'checkpoint', detail: dump.stderr.trim() },
          dumpLog,
        });
      }
      const restore = await sc.restore(to, await bundleFor(to), image);
      if (opts.onCriuLog) {
        opts.onCriuLog(`restore ${i}`, await sc.restoreLog(image).catch(() => ''));
      }
      if (restore.code !== 0) {
        const errors = await sc.restoreErrors(image);
        return done({
          completed: i - 1,
          failure: { cycle: i, step: 'restore', detail: `${restore.stderr.trim()}\n${errors}` },
        });
      }
      // Read right after the restore returned: the herd ran before the runtime exited.
      const placement = await sc.placement(to);
      sizes.push(placement.members.length);
      const outside = placement.outside ?? [];
      misplaced.push(Math.max(placement.strays.length, outside.length));
      const bad =
        placement.members.length !== TREE8_SIZE ||
        placement.strays.length > 0 ||
        outside.length > 0;
      if (bad && checkPlacement) {
        return done({
          completed: i - 1,
          failure: {
            cycle: i,
            step: 'placement',
            detail:
              `${placement.members.length} members, strays ${placement.strays.join(',') || 'none'}, ` +
              `outside ${placement.cgroup}: ${outside.join(',') || 'none'}\n${await sc.describe(to)}`,
          },
        });
      }
    }
    return done({ completed: cycles });
  } finally {
    await sc.cleanup();
  }
}

export function describeOutcome(label: string, o: CycleOutcome): string {
  const f = o.failure;
  const what = f ? `failed at cycle ${f.cycle} (${f.step})` : `all ${o.completed} cycles ok`;
  return (
    `  ${label}: ${what}, tree sizes [${o.sizes.join(',')}], ` +
    `misplaced [${o.misplaced.join(',')}], ${o.ms} ms`
  );
}

export function assertAllCycles(label: string, o: CycleOutcome, cycles: number): void {
  console.log(describeOutcome(label, o));
  if (o.failure) {
    assert.unreachable(
      `${label}: cycle ${o.failure.cycle} ${o.failure.step} failed:\n${o.failure.detail}\n` +
        (o.dumpLog
          ? o.dumpLog
              .split('\n')
              .filter((l) => /Error|Unseizable/.test(l))
              .join('\n')
          : ''),
    );
  }
  assert.is(o.completed, cycles);
  assert.ok(
    o.sizes.every((s) => s === TREE8_SIZE),
    `process count dropped: ${o.sizes.join(',')}`,
  );
}
