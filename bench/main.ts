// `make bench`: every figure is a ratio of medians measured side by side in this run.
// Runs itself twice, each time inside a private mount namespace that shows one cgroup
// version (this host's cgroups are hybrid, which crun refuses): every section with cgroup
// v1, where crun can create containers on this host, and the herd again with cgroup v2.
// Then, from the host, the Podman section: the Podman test bed makes its own namespace.

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { inModeArgv, parkingLeaves } from '../test/lib/bed.js';
import { cleanupPrefix } from '../test/lib/cleanup.js';
import { benchPassthrough } from './passthrough.js';
import { benchHerd } from './herd.js';
import { benchCycle } from './cycle.js';
import { benchProof } from './proof.js';
import { benchPodmanCycle } from './podman-cycle.js';
import { benchLoad } from './load.js';
import { benchContainerdCycle } from './containerd-cycle.js';

type Place = 'host' | 'v1' | 'v2';

function whereAmI(): Place {
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8');
  if (mounts.includes(' /sys/fs/cgroup/unified ')) return 'host';
  return / \/sys\/fs\/cgroup [^\n]* - cgroup2 /.test(mounts) ? 'v2' : 'v1';
}

type Section = [string, (lines: string[]) => Promise<void>];

const SECTIONS: Record<Place, Section[]> = {
  v1: [
    ['pass-through and start-up', benchPassthrough],
    ['the herd, cgroup v1', benchHerd],
    ['checkpoint and restore', benchCycle],
    ['proven checkpoint: one Node start per cycle', benchProof],
  ],
  v2: [['the herd, cgroup v2', benchHerd]],
  host: [
    ['checkpoint and restore through Podman, cgroup v1', benchPodmanCycle],
    ['load: parallel checkpoint and restore, cgherd over crun 1.8.1 vs crun 1.21', benchLoad],
    ['checkpoint and restore through containerd, cgroup v1', benchContainerdCycle],
  ],
};

async function runSections(place: Place, only: readonly string[]): Promise<void> {
  for (const [name, run] of SECTIONS[place]) {
    if (only.length > 0 && !only.some((word) => name.includes(word))) continue;
    const lines: string[] = [];
    process.stdout.write(`\n== ${name}\n`);
    await run(lines);
    process.stdout.write(`${lines.join('\n')}\n`);
  }
}

async function main(): Promise<number> {
  const place = whereAmI();
  if (place === 'host') {
    let status = 0;
    for (const mode of ['v1', 'v2'] as const) {
      const argv = inModeArgv(
        mode,
        process.execPath,
        [fileURLToPath(import.meta.url), ...process.argv.slice(2)],
        parkingLeaves(mode),
      );
      const r = spawnSync(argv[0] as string, argv.slice(1), { stdio: 'inherit' });
      status = Math.max(status, r.status ?? 1);
    }
    await runSections('host', process.argv.slice(2));
    return status;
  }
  // Leftovers of an interrupted run would break containers of the same names.
  await cleanupPrefix('cgt-bench-');
  try {
    await runSections(place, process.argv.slice(2));
  } finally {
    await cleanupPrefix('cgt-bench-');
  }
  return 0;
}

process.exitCode = await main();
