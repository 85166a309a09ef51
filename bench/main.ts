// `make bench`: every figure is a ratio of medians measured side by side in this run.
// Runs itself twice, each time inside a private mount namespace that shows one cgroup
// version (this host's cgroups are hybrid, which crun refuses): every section with cgroup
// v1, where crun can create containers on this host, and the herd again with cgroup v2.
// Then, from the host, the Podman section: the Podman test bed makes its own namespace.
// It closes with every goal of issue 21, met or missed. `--goals` runs only the sections
// that measure one (the Node 18 run of `make bench`); other words pick sections by name.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inModeArgv, parkingLeaves, cleanupPrefix } from './harness.js';
import { benchPassthrough } from './passthrough.js';
import { benchHerd } from './herd.js';
import { benchCycle } from './cycle.js';
import { benchProof } from './proof.js';
import { benchPodmanCycle } from './podman-cycle.js';
import { benchLoad } from './load.js';
import { benchContainerdCycle } from './containerd-cycle.js';
import { GOALS_FILE_ENV } from './measure.js';

type Place = 'host' | 'v1' | 'v2';

function whereAmI(): Place {
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8');
  if (mounts.includes(' /sys/fs/cgroup/unified ')) return 'host';
  return / \/sys\/fs\/cgroup [^\n]* - cgroup2 /.test(mounts) ? 'v2' : 'v1';
}

interface Section {
  name: string;
  run: (lines: string[]) => Promise<void>;
  /** It measures a figure that has a goal in issue 21. */
  goals?: true;
}

const SECTIONS: Record<Place, Section[]> = {
  v1: [
    { name: 'pass-through and start-up', run: benchPassthrough, goals: true },
    { name: 'the herd, cgroup v1', run: benchHerd },
    { name: 'checkpoint and restore', run: benchCycle, goals: true },
    { name: 'proven checkpoint: one Node start per cycle', run: benchProof, goals: true },
  ],
  v2: [{ name: 'the herd, cgroup v2', run: benchHerd }],
  host: [
    {
      name: 'checkpoint and restore through Podman, cgroup v1',
      run: benchPodmanCycle,
      goals: true,
    },
    {
      name: 'load: parallel checkpoint and restore, cgherd over crun 1.8.1 vs crun 1.21',
      run: benchLoad,
    },
    { name: 'checkpoint and restore through containerd, cgroup v1', run: benchContainerdCycle },
  ],
};

async function runSections(place: Place, argv: readonly string[]): Promise<void> {
  const goalsOnly = argv.includes('--goals');
  const only = argv.filter((word) => word !== '--goals');
  for (const { name, run, goals } of SECTIONS[place]) {
    if (goalsOnly && !goals) continue;
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
    process.stdout.write(`cgherd bench on node ${process.version} (${process.execPath})\n`);
    const work = mkdtempSync(join(tmpdir(), 'cgherd-bench-goals-'));
    const goals = join(work, 'goals');
    process.env[GOALS_FILE_ENV] = goals;
    try {
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
      process.stdout.write(`\n== goals of issue 21, node ${process.version}\n`);
      process.stdout.write(readGoals(goals));
      return status;
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
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

function readGoals(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '(no section that measures a goal ran)\n';
  }
}

process.exitCode = await main();
