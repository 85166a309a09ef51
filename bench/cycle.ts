// Checkpoint + restore through cgherd against crun alone (crun 1.21, same id, cgroup v1):
// what the herd hooks add to the operation they protect. One bare `node -e 0` runs in the
// same rounds: the goal (issue 21) is the floor of a runtime face that starts Node once in
// the pair, (crun + one node -e 0) / crun, plus 0.03.

import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { interleave, mustRun, oneNodeFloorLines, oneNodeStart, type Variant } from './measure.js';
import { CGHERD_BIN, RUNTIMES, makeBundle, checkpointArgv, restoreArgv } from './harness.js';

const CRUN = RUNTIMES.crun121;

export async function benchCycle(lines: string[]): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'cgt-bench-cy-'));
  const root = join(work, 'root');
  let round = 0;
  const variant = (
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
        mustRun(CRUN, ['--root', root, 'run', '-d', '--bundle', bundle, id]);
        image = join(work, `image-${round++}`);
        mkdirSync(image);
      },
      run: () => {
        mustRun(bin, ['--root', root, ...checkpointArgv(id, image, image)], { env });
        mustRun(bin, ['--root', root, ...restoreArgv(id, bundle, image, image)], {
          env,
          cwd: bundle,
        });
      },
      teardown: () => {
        mustRun(CRUN, ['--root', root, 'delete', '--force', id]);
        rmSync(image, { recursive: true, force: true });
      },
    };
  };
  try {
    const bundleA = await makeBundle(join(work, 'a'), { tree: 'tree8', mode: 'v1' });
    const bundleB = await makeBundle(join(work, 'b'), { tree: 'tree8', mode: 'v1' });
    const [cg, cr, node] = await interleave(
      [
        variant(
          'cgherd checkpoint+restore',
          CGHERD_BIN,
          { ...process.env, CGHERD_RUNTIME: CRUN },
          'cgt-bench-cy-a',
          bundleA,
        ),
        variant('crun checkpoint+restore', CRUN, process.env, 'cgt-bench-cy-b', bundleB),
        oneNodeStart(),
      ],
      12,
      1,
    );
    lines.push(
      ...oneNodeFloorLines(
        'checkpoint + restore: cgherd / crun 1.21 (tree of 8)',
        cg!,
        cr!,
        node!,
        0.03,
      ),
    );
  } finally {
    for (const id of ['cgt-bench-cy-a', 'cgt-bench-cy-b']) {
      try {
        mustRun(CRUN, ['--root', root, 'delete', '--force', id]);
      } catch {
        // not there
      }
    }
    rmSync(work, { recursive: true, force: true });
  }
}
