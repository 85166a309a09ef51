// Pass-through cost: `cgherd state ID` against `crun state ID` on a running container, and
// `cgherd create` against `crun create` (validation on, the default), then start-up of an
// intercepted command against `node -e 0` (bench/startup.ts).

import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { interleave, mustRun, ratioLine } from './measure.js';
import { benchStartup } from './startup.js';
import { CGHERD_BIN, RUNTIMES } from '../test/lib/bed.js';
import { makeBundle } from '../test/lib/bundle.js';

const CRUN = RUNTIMES.crun121;

export async function benchPassthrough(lines: string[]): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'cgt-bench-pt-'));
  const root = join(work, 'root');
  const viaCgherd = { ...process.env, CGHERD_RUNTIME: CRUN };
  // The production set-up: the lower runtime from a config file, which the launcher reads
  // and checks (owner and mode: one stat(1)) on every pass-through call.
  const config = join(work, 'config.json');
  writeFileSync(config, JSON.stringify({ runtime: CRUN }), { mode: 0o644 });
  const viaConfig: NodeJS.ProcessEnv = { ...process.env, CGHERD_CONFIG: config };
  delete viaConfig.CGHERD_RUNTIME;
  try {
    const bundle = await makeBundle(join(work, 'bundle'), { tree: 'single', mode: 'v1' });
    const id = 'cgt-bench-pt-state';
    mustRun(CRUN, ['--root', root, 'run', '-d', '--bundle', bundle, id]);
    try {
      const [cg, cf, cr] = await interleave(
        [
          {
            label: 'cgherd state',
            run: () => mustRun(CGHERD_BIN, ['--root', root, 'state', id], { env: viaCgherd }),
          },
          {
            label: 'cgherd state (config file)',
            run: () => mustRun(CGHERD_BIN, ['--root', root, 'state', id], { env: viaConfig }),
          },
          { label: 'crun state', run: () => mustRun(CRUN, ['--root', root, 'state', id]) },
        ],
        100,
      );
      lines.push(ratioLine('cgherd state ID / crun state ID (CGHERD_RUNTIME)', cg!, cr!, 1.5));
      lines.push(ratioLine('cgherd state ID / crun state ID (config file)', cf!, cr!, 1.5));
    } finally {
      mustRun(CRUN, ['--root', root, 'delete', '--force', id]);
    }

    const createVariant = (label: string, bin: string, env: NodeJS.ProcessEnv, n: string) => ({
      label,
      run: () => mustRun(bin, ['--root', root, 'create', '--bundle', bundle, n], { env }),
      teardown: () => mustRun(CRUN, ['--root', root, 'delete', '--force', n]),
    });
    const [cgc, crc, cgOff] = await interleave(
      [
        createVariant('cgherd create', CGHERD_BIN, viaCgherd, 'cgt-bench-pt-c1'),
        createVariant('crun create', CRUN, process.env, 'cgt-bench-pt-c2'),
        createVariant(
          'cgherd create, validation off',
          CGHERD_BIN,
          { ...viaCgherd, CGHERD_VALIDATE: 'off' },
          'cgt-bench-pt-c3',
        ),
      ],
      20,
    );
    lines.push(ratioLine('cgherd create / crun create (validation on)', cgc!, crc!));
    lines.push(ratioLine('cgherd create with validation / with validation off', cgc!, cgOff!));

    await benchStartup(bundle, lines);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
