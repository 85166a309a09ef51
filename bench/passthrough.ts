// Pass-through cost: `cgherd state ID` on a running container against a bare sh wrapper
// that only execs crun (the least any launcher in sh can cost), with the lower runtime from
// CGHERD_RUNTIME and from a config file (the installed set-up), crun itself beside them;
// `cgherd create` against `crun create` (validation on, the default); then start-up of an
// intercepted command against `node -e 0` (bench/startup.ts).

import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { interleave, mustRun, ratioLine } from './measure.js';
import { benchStartup } from './startup.js';
import { statWrapperVariant } from './floors.js';
import { CGHERD_BIN, RUNTIMES, makeBundle } from './harness.js';

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
  const wrapper = join(work, 'crun-wrapper');
  writeFileSync(wrapper, `#!/bin/sh\nexec ${CRUN} "$@"\n`, { mode: 0o755 });
  try {
    const bundle = await makeBundle(join(work, 'bundle'), { tree: 'single', mode: 'v1' });
    const id = 'cgt-bench-pt-state';
    mustRun(CRUN, ['--root', root, 'run', '-d', '--bundle', bundle, id]);
    try {
      const state = (label: string, bin: string, env: NodeJS.ProcessEnv) => ({
        label,
        run: () => mustRun(bin, ['--root', root, 'state', id], { env }),
      });
      const [cf, cg, sh, cr, shStat] = await interleave(
        [
          state('cgherd state (config file)', CGHERD_BIN, viaConfig),
          state('cgherd state (CGHERD_RUNTIME)', CGHERD_BIN, viaCgherd),
          state('sh wrapper state', wrapper, process.env),
          state('crun state', CRUN, process.env),
          statWrapperVariant(work, CRUN, [config, work], ['--root', root, 'state', id]),
        ],
        100,
      );
      lines.push(
        ratioLine('pass-through, lower from the config file / bare sh wrapper', cf!, sh!, 1.1),
      );
      lines.push(
        ratioLine(
          '  floor: sh wrapper + one stat(1) of the config (no cgherd code) / bare sh wrapper',
          shStat!,
          sh!,
        ),
      );
      lines.push(ratioLine('pass-through, lower from CGHERD_RUNTIME / bare sh wrapper', cg!, sh!));
      lines.push(ratioLine('bare sh wrapper / crun (state ID)', sh!, cr!));
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

    await benchStartup(bundle, work, lines);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
