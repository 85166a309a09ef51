// The runtime face: parse (read-only) → hooks before → forward → hooks after.
// bin/cgherd only starts Node for the intercepted commands, or when its fast path could
// not settle the lower runtime (then this file forwards and reports precisely).

// First: nothing before it may leave a window where SIGUSR1 opens the inspector.
import './inspector-guard.js';
import { writeSync } from 'node:fs';
import { parseArgv, type ParsedArgv } from './argv.js';
import { loadSettings } from '../config/load.js';
import { DEFERRED_DURING_RESTORE, forward } from './forward.js';
import { engineCompat } from './engine-compat.js';
import { createMissingDirs } from './engine-dirs.js';
import { inheritedFdCount, isIntercepted } from './intercepted.js';
import { writeRecord } from './report.js';
import { loadHooks, runAfter, runBefore, type Ran } from './run-hooks.js';
import { openDebugLog } from './debug-log.js';
import { newCallContext } from './call-context.js';
import { HOOKS } from '../../hooks/index.js';
import { versionLine } from '../version.js';
import type { Settings } from '../config/settings.js';

/** Exit status for cgherd's own errors (config, refusals); crun uses 1 for its own. */
const OWN_ERROR_STATUS = 1;

function fail(parsed: ParsedArgv, message: string): never {
  writeRecord(parsed.globals, 'error', message);
  process.exit(OWN_ERROR_STATUS);
}

async function main(argv: readonly string[]): Promise<number> {
  const parsed = parseArgv(argv);
  let settings: Settings;
  try {
    settings = loadSettings(process.env);
  } catch (error) {
    fail(parsed, error instanceof Error ? error.message : String(error));
  }
  if (process.env.CGHERD_WHICH_RUNTIME) {
    writeSync(1, `${settings.lowerRuntime}\n`);
    return 0;
  }
  if (parsed.command === undefined && argv.includes('--version')) writeSync(1, versionLine());

  const { log: debug, warning: logWarning } = await openDebugLog(
    process.env,
    settings.debugLog,
    `cgherd:${parsed.command ?? 'cli'}`,
  );
  const ctx = newCallContext(argv, parsed, settings, process.env, debug);
  ctx.debug('argv %o lower %s', argv, settings.lowerRuntime);

  let ran: Ran[] = [];
  if (isIntercepted(parsed)) {
    const before = await runBefore(await loadHooks(HOOKS, ctx), ctx);
    if (before.refusal !== undefined) fail(parsed, before.refusal);
    ran = before.ran;
    if (before.warnings.length > 0) ctx.debug('warnings before: %o', before.warnings);
  }

  // containerd's runc shim: see engine-compat.ts. Hooks above saw the argv as received.
  const compat = engineCompat(argv, parsed, settings.lowerRuntime);
  const unmade = createMissingDirs(compat.mkdirs);
  if (unmade.length > 0) ctx.debug('could not create %o', unmade);

  let outcome;
  try {
    outcome = await forward(
      settings.lowerRuntime,
      compat.argv,
      ctx.childEnv,
      inheritedFdCount(parsed, process.env),
      parsed.command === 'restore' ? DEFERRED_DURING_RESTORE : [],
      (signal) => ctx.debug('%s held until the restore returns', signal),
    );
  } catch (error) {
    fail(parsed, error instanceof Error ? error.message : String(error));
  }
  ctx.debug('lower runtime exited with %d', outcome.status);

  const warnings = await runAfter(ran, ctx, outcome);
  if (logWarning !== undefined) warnings.push(logWarning);
  if (warnings.length > 0) writeRecord(parsed.globals, 'warning', warnings.join('; '));
  return outcome.status;
}

main(process.argv.slice(2)).then(
  (status) => process.exit(status),
  (error: unknown) => {
    try {
      writeSync(
        2,
        `cgherd: internal error: ${error instanceof Error ? error.stack : String(error)}\n`,
      );
    } finally {
      process.exit(OWN_ERROR_STATUS);
    }
  },
);
