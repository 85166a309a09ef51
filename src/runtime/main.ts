// The runtime face: parse (read-only) → hooks before → forward → hooks after. What the
// hooks do, in order, is hooks/index.ts; this file only runs them and reports.
// bin/cgherd only starts Node for the intercepted commands, or when its fast path could
// not settle the lower runtime (then this file forwards and reports precisely).

// First: nothing before it may leave a window where SIGUSR1 opens the inspector.
import './inspector-guard.js';
import { writeSync } from 'node:fs';
import { parseArgv, type ParsedArgv } from '../call/argv.js';
import { loadSettingsFor } from '../config/broken-config.js';
import { LOOP_GUARD_VARIABLE, loopProblem } from '../lower/loop-guard.js';
import { forward } from './forward.js';
import { inheritedFdCount, isIntercepted } from './intercepted.js';
import { logMark, writeRecord } from './report.js';
import { loadHooks, receivedCall, runAfter, runBefore, type Ran } from './run-hooks.js';
import { openDebugLog } from './debug-log.js';
import { newCallContext } from '../call/call-context.js';
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
  // bin/cgherd sets it; run without the launcher, this process is the one to name.
  process.env[LOOP_GUARD_VARIABLE] ??= process.argv[1] ?? 'cgherd';
  let settings: Settings;
  try {
    const loaded = loadSettingsFor(parsed.command, process.env);
    settings = loaded.settings;
    // stderr only: in a --log file a second record would break the lower runtime's.
    if (loaded.warning !== undefined) writeSync(2, `cgherd: warning: ${loaded.warning}\n`);
  } catch (error) {
    fail(parsed, error instanceof Error ? error.message : String(error));
  }
  const loop = loopProblem(settings.lowerRuntime, [process.env[LOOP_GUARD_VARIABLE] ?? '']);
  if (loop !== undefined) fail(parsed, loop);
  if (parsed.command === undefined && argv.includes('--version')) writeSync(1, versionLine());

  const { log: debug, warning: logWarning } = await openDebugLog(
    process.env,
    settings.debugLog,
    `cgherd:${parsed.command ?? 'cli'}`,
  );
  const ctx = newCallContext(argv, parsed, settings, process.env, debug);
  ctx.debug('argv %o lower %s', argv, settings.lowerRuntime);

  let ran: Ran[] = [];
  let call = receivedCall(ctx);
  if (isIntercepted(parsed)) {
    const before = await runBefore(await loadHooks(HOOKS, ctx), ctx);
    if (before.refusal !== undefined) fail(parsed, before.refusal);
    ran = before.ran;
    call = before.call;
    if (before.warnings.length > 0) ctx.debug('warnings before: %o', before.warnings);
  }

  const mark = logMark(parsed.globals);
  let outcome;
  try {
    outcome = await forward(
      settings.lowerRuntime,
      call.argv,
      call.env,
      inheritedFdCount(parsed, process.env),
      call.relays,
    );
  } catch (error) {
    fail(parsed, error instanceof Error ? error.message : String(error));
  }
  ctx.debug('lower runtime exited with %d', outcome.status);

  const { warnings, failures } = await runAfter(ran, ctx, call, outcome);
  if (ran.length > 0) ctx.debug('after-hooks done');
  if (logWarning !== undefined) warnings.push(logWarning);
  if (failures.length > 0) {
    // cgherd stopped the work itself: its word is the error, with the lower runtime's in it.
    writeRecord(parsed.globals, 'error', [...failures, ...warnings].join('; '), {
      foldLowerFrom: mark,
    });
  } else if (warnings.length > 0) {
    writeRecord(parsed.globals, 'warning', warnings.join('; '));
  }
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
