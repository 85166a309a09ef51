// Proven checkpoints (issue 21 item 3): a restore through cgherd writes a proof record, and
// the checkpoint after it goes straight to crun, so a restore + checkpoint cycle starts
// Node once. crun 1.21, cgroup v1, tree of 8, same id, a bundle whose container cannot
// move its own processes (private cgroup namespace, no CAP_SYS_ADMIN, read-only cgroup
// mount). Goals: the cycle within 0.03 of its one-Node floor, and a proven checkpoint
// within 1.03 of crun's own.

import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  bareNodeStart,
  interleave,
  mustRun,
  oneNodeFloorLines,
  ratioLine,
  type Variant,
} from './measure.js';
import { nodeShapeVariant } from './floors.js';
import { CGHERD_BIN, RUNTIMES, makeBundle, checkpointArgv, restoreArgv } from './harness.js';

const CRUN = RUNTIMES.crun121;
const CGHERD_ENV = { ...process.env, CGHERD_RUNTIME: CRUN };
const IDS = ['cgt-bench-pf-a', 'cgt-bench-pf-b', 'cgt-bench-pf-c', 'cgt-bench-pf-d'];

export async function benchProof(lines: string[]): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'cgt-bench-pf-'));
  const root = join(work, 'root');
  let round = 0;
  const quietDelete = (id: string): void => {
    try {
      mustRun(CRUN, ['--root', root, 'delete', '--force', id]);
    } catch {
      // checkpointed: crun removed it already
    }
  };
  /** A container of `bundle` run and checkpointed by crun; returns the image. */
  const dumped = (id: string, bundle: string): string => {
    const image = join(work, `image-${round++}`);
    mkdirSync(image);
    mustRun(CRUN, ['--root', root, 'run', '-d', '--bundle', bundle, id]);
    mustRun(CRUN, ['--root', root, ...checkpointArgv(id, image, image)]);
    return image;
  };
  const restore = (
    bin: string,
    env: NodeJS.ProcessEnv,
    id: string,
    bundle: string,
    image: string,
  ): void =>
    mustRun(bin, ['--root', root, ...restoreArgv(id, bundle, image, image)], { env, cwd: bundle });
  const checkpoint = (bin: string, env: NodeJS.ProcessEnv, id: string): void => {
    const image = join(work, `image-${round++}`);
    mkdirSync(image);
    mustRun(bin, ['--root', root, ...checkpointArgv(id, image, image)], { env });
  };

  /** Timed: restore, then checkpoint, both by `bin`. */
  const cycle = (
    label: string,
    bin: string,
    env: NodeJS.ProcessEnv,
    id: string,
    bundle: string,
  ): Variant => {
    let image = '';
    return {
      label,
      setup: () => {
        image = dumped(id, bundle);
      },
      run: () => {
        restore(bin, env, id, bundle, image);
        checkpoint(bin, env, id);
      },
      teardown: () => quietDelete(id),
    };
  };
  /** Timed: the checkpoint only, of a container `bin` restored. */
  const checkpointOnly = (
    label: string,
    bin: string,
    env: NodeJS.ProcessEnv,
    id: string,
    bundle: string,
  ): Variant => ({
    label,
    setup: () => restore(bin, env, id, bundle, dumped(id, bundle)),
    run: () => checkpoint(bin, env, id),
    teardown: () => quietDelete(id),
  });

  try {
    const bundles = await Promise.all(
      IDS.map((id) =>
        makeBundle(join(work, id), { tree: 'tree8', mode: 'v1', cgroupNamespace: true }),
      ),
    );
    const [a, b, c, d] = bundles as [string, string, string, string];
    const [cg, cr, node, shape] = await interleave(
      [
        cycle('cgherd restore+checkpoint', CGHERD_BIN, CGHERD_ENV, IDS[0] as string, a),
        cycle('crun restore+checkpoint', CRUN, process.env, IDS[1] as string, b),
        { label: 'node -e 0', run: bareNodeStart },
        nodeShapeVariant(work, 'spawn', join(a, 'config.json')),
      ],
      12,
      1,
    );
    lines.push(
      ...oneNodeFloorLines(
        'restore + proven checkpoint: cgherd / crun 1.21 (tree of 8)',
        cg!,
        cr!,
        node!,
        0.03,
      ),
      `  shape floor, (crun + sh, stat(1), node + ajv, spawn) / crun: ` +
        `${((cr!.medianMs + shape!.medianMs) / cr!.medianMs).toFixed(3)} (no cgherd code)`,
    );
    const [pc, bc] = await interleave(
      [
        checkpointOnly('cgherd proven checkpoint', CGHERD_BIN, CGHERD_ENV, IDS[2] as string, c),
        checkpointOnly('crun checkpoint', CRUN, process.env, IDS[3] as string, d),
      ],
      12,
      1,
    );
    lines.push(
      ratioLine('proven checkpoint / bare crun 1.21 checkpoint (tree of 8)', pc!, bc!, 1.03),
    );
  } finally {
    for (const id of IDS) quietDelete(id);
    rmSync(work, { recursive: true, force: true });
  }
}
