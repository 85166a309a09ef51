// Checkpoint + restore as a Podman user meets it: `podman container checkpoint`, then
// `podman container restore`, of the seed's Java daemon (a JVM that started a child), with
// cgherd over crun 1.21 registered as one runtime and crun 1.21 itself as another. Podman,
// conmon and CRIU do the same work for both; the difference is what cgherd adds.

import { RUNTIMES, withPodmanBed, type PodmanBed, startJavaContainer } from './harness.js';
import { interleave, nodeFloorLine, ratioLine, twoNodeStarts, type Variant } from './measure.js';

function cycle(bed: PodmanBed, label: string, container: string): Variant {
  return {
    label,
    run: async () => {
      await bed.ok(['container', 'checkpoint', container]);
      await bed.ok(['container', 'restore', container]);
    },
  };
}

export async function benchPodmanCycle(lines: string[]): Promise<void> {
  const runtimes = {
    'cgherd-crun121': { cgherdOver: RUNTIMES.crun121 },
    crun121: RUNTIMES.crun121,
  };
  await withPodmanBed('v1', runtimes, { tag: 'bench' }, async (bed) => {
    await startJavaContainer(bed, 'cgt-bench-java-a', 'cgherd-crun121');
    await startJavaContainer(bed, 'cgt-bench-java-b', 'crun121');
    const [cg, cr, nodes] = await interleave(
      [
        cycle(bed, 'cgherd', 'cgt-bench-java-a'),
        cycle(bed, 'crun', 'cgt-bench-java-b'),
        twoNodeStarts(),
      ],
      8,
      1,
    );
    lines.push(
      ratioLine('podman checkpoint + restore, Java daemon: cgherd / crun 1.21', cg!, cr!, 1.05),
    );
    lines.push(nodeFloorLine(cg!, cr!, nodes!));
  });
}
