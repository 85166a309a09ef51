// Start-up of an intercepted command against `node -e 0`: `cgherd create` with the lower
// runtime /bin/true, so that what is left is Node, cgherd's modules, the settings and the
// hooks of the command (validation included). `make bench` runs it inside its
// pass-through section; `node dist/bench/startup.js [ROUNDS]` runs this figure alone
// (needs no cgroup and no lock: nothing is created). Beside them, the shape's floors
// (bench/floors.ts): what the launcher's check, Node and ajv cost with nothing of cgherd.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { bareNodeStart, interleave, mustRun, ratioLine, type Timing } from './measure.js';
import { nodeShapeVariant } from './floors.js';
import { CGHERD_BIN, makeBundle } from './harness.js';

/** Returns the timings too: run alone, this file prints their medians. */
export async function benchStartup(
  bundle: string,
  work: string,
  lines: string[],
  rounds = 40,
): Promise<Timing[]> {
  const startEnv = { ...process.env, CGHERD_RUNTIME: '/bin/true' };
  const [su, suOff, node, shape, shapeAjv, shapeSpawn] = await interleave(
    [
      {
        label: 'cgherd create (start-up)',
        run: () => mustRun(CGHERD_BIN, ['create', '--bundle', bundle, 'x'], { env: startEnv }),
      },
      {
        label: 'cgherd create (start-up, validation off)',
        run: () =>
          mustRun(CGHERD_BIN, ['create', '--bundle', bundle, 'x'], {
            env: { ...startEnv, CGHERD_VALIDATE: 'off' },
          }),
      },
      { label: 'node -e 0', run: bareNodeStart },
      nodeShapeVariant(work, 'exec'),
      nodeShapeVariant(work, 'exec', join(bundle, 'config.json')),
      nodeShapeVariant(work, 'spawn', join(bundle, 'config.json')),
    ],
    rounds,
  );
  lines.push(
    ratioLine('intercepted start-up (create, validation on) / node -e 0', su!, node!, 1.35),
  );
  lines.push(
    ratioLine('intercepted start-up (create, validation off) / node -e 0', suOff!, node!, 1.2),
  );
  lines.push(
    ratioLine('  floor: sh, stat(1), node, exec lower (no cgherd code)', shape!, node!),
    ratioLine('  floor: the same + ajv validation of config.json', shapeAjv!, node!),
    ratioLine('  floor: sh, stat(1), node + ajv, node spawns the lower', shapeSpawn!, node!),
  );
  return [su!, suOff!, node!, shape!, shapeAjv!, shapeSpawn!];
}

async function alone(rounds: number): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'cgt-bench-su-'));
  try {
    const bundle = await makeBundle(join(work, 'bundle'), { tree: 'single', mode: 'v1' });
    const lines: string[] = [];
    const timings = await benchStartup(bundle, work, lines, rounds);
    const medians = timings.map((t) => `  ${t.label}: ${t.medianMs.toFixed(1)} ms`);
    process.stdout.write(`Node ${process.version}\n${[...lines, ...medians].join('\n')}\n`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await alone(Number(process.argv[2] ?? 40));
}
