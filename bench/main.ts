// `make bench`: every figure is a ratio of medians measured side by side in this run.
// Runs itself inside a private mount namespace with cgroup v1 only (see facts.md,
// "Hybrid cgroups"), where crun can create containers on this host.

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { inModeArgv, parkingLeaves } from '../test/lib/bed.js';
import { cleanupPrefix } from '../test/lib/cleanup.js';
import { benchPassthrough } from './passthrough.js';
import { benchHerd } from './herd.js';
import { benchCycle } from './cycle.js';

function unifiedMounted(): boolean {
  return readFileSync('/proc/self/mountinfo', 'utf8').includes(' /sys/fs/cgroup/unified ');
}

async function main(): Promise<void> {
  if (unifiedMounted()) {
    const argv = inModeArgv(
      'v1',
      process.execPath,
      [fileURLToPath(import.meta.url), ...process.argv.slice(2)],
      parkingLeaves('v1'),
    );
    const r = spawnSync(argv[0] as string, argv.slice(1), { stdio: 'inherit' });
    process.exit(r.status ?? 1);
  }
  const sections: [string, (lines: string[]) => Promise<void>][] = [
    ['pass-through and start-up', benchPassthrough],
    ['the herd', benchHerd],
    ['checkpoint and restore', benchCycle],
  ];
  // Leftovers of an interrupted run would break containers of the same names.
  await cleanupPrefix('cgt-bench-');
  const only = process.argv.slice(2);
  for (const [name, run] of sections) {
    if (only.length > 0 && !only.some((word) => name.includes(word))) continue;
    const lines: string[] = [];
    process.stdout.write(`\n== ${name}\n`);
    await run(lines);
    process.stdout.write(`${lines.join('\n')}\n`);
  }
}

try {
  await main();
} finally {
  await cleanupPrefix('cgt-bench-');
}
