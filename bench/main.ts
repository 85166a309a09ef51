// `make bench`: every figure is a ratio of medians measured side by side in this run.
// Runs itself inside a private mount namespace with cgroup v1 only (see facts.md,
// "Hybrid cgroups"), where crun can create containers on this host.

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { inModeArgv } from '../test/lib/bed.js';
import { benchPassthrough } from './passthrough.js';

function unifiedMounted(): boolean {
  return readFileSync('/proc/self/mountinfo', 'utf8').includes(' /sys/fs/cgroup/unified ');
}

async function main(): Promise<void> {
  if (unifiedMounted()) {
    const argv = inModeArgv('v1', process.execPath, [
      fileURLToPath(import.meta.url),
      ...process.argv.slice(2),
    ]);
    const r = spawnSync(argv[0] as string, argv.slice(1), { stdio: 'inherit' });
    process.exit(r.status ?? 1);
  }
  const sections: [string, (lines: string[]) => Promise<void>][] = [
    ['pass-through and start-up', benchPassthrough],
  ];
  for (const [name, run] of sections) {
    const lines: string[] = [];
    process.stdout.write(`\n== ${name}\n`);
    await run(lines);
    process.stdout.write(`${lines.join('\n')}\n`);
  }
}

await main();
