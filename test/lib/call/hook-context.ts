// A call context for the hooks' unit tests: the runtime face's own newCallContext over
// settings that name no real lower runtime and a debug log that writes nothing, so that a
// test states only what its case changes.

import { parseArgv } from '../../../src/call/argv.js';
import { newCallContext } from '../../../src/call/call-context.js';
import type { DebugLog } from '../../../src/call/debug-log.js';
import type { HookContext } from '../../../src/call/hook.js';
import type { Settings } from '../../../src/config/settings.js';

/** A debug log that drops everything, its namespaces included. */
export const silentDebug: DebugLog = Object.assign(() => undefined, { extend: () => silentDebug });

/** Settings with validation off, the herd on and no restore cgroup root, but for `over`. */
export function testSettings(over: Partial<Settings> = {}): Settings {
  return {
    lowerRuntime: '/nonexistent/crun',
    validate: 'off',
    herd: true,
    restoreCgroupRoot: 'never',
    debugLog: '/dev/null',
    criuStallTimeout: 300,
    configFile: undefined,
    ...over,
  };
}

export interface TestContextOptions {
  settings?: Partial<Settings>;
  env?: NodeJS.ProcessEnv;
  debug?: DebugLog;
  criuConfigDir?: string;
}

/** The context of a call with `argv`, as the runtime face would make it. */
export function testHookContext(
  argv: readonly string[],
  opts: TestContextOptions = {},
): HookContext {
  const paths = opts.criuConfigDir === undefined ? {} : { criuConfigDir: opts.criuConfigDir };
  return newCallContext(
    argv,
    parseArgv(argv),
    testSettings(opts.settings),
    opts.env ?? {},
    opts.debug ?? silentDebug,
    paths,
  );
}
