// Debug output goes to a file, never to fd 2: on `create`, fd 2 is the container's stderr.
// The `debug` package is loaded only when debugging is on, to keep start-up small. Each
// hook logs under its own namespace (debug's extend): cgherd:<command>:<hook>.

import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { format } from 'node:util';
import type { Debugger } from 'debug';

export interface DebugLog {
  (formatString: string, ...args: unknown[]): void;
  /** The same log under `<namespace>:<name>`. */
  extend(name: string): DebugLog;
}

const noop: DebugLog = Object.assign(() => undefined, { extend: () => noop });

function debugWanted(env: Readonly<NodeJS.ProcessEnv>): boolean {
  return (env.DEBUG ?? '').includes('cgherd') || (env.CGHERD_DEBUG_LOG ?? '') !== '';
}

export async function openDebugLog(
  env: Readonly<NodeJS.ProcessEnv>,
  path: string,
  namespace: string,
): Promise<DebugLog> {
  if (!debugWanted(env)) return noop;
  const { default: createDebug } = await import('debug');
  // Deciding colours would make `debug` open process.stderr (see the note at the top).
  if (createDebug.inspectOpts) createDebug.inspectOpts.colors = false;
  if (!(env.DEBUG ?? '').includes('cgherd')) createDebug.enable('cgherd:*');
  const root = createDebug(namespace);
  root.log = (...args: unknown[]): void => {
    try {
      mkdirSync(dirname(path), { recursive: true });
      appendFileSync(path, `${format(...args)}\n`);
    } catch {
      // Debugging must never break the runtime path.
    }
  };
  // On for this call's namespaces whatever DEBUG names: the call asked for a debug log.
  const wrap = (log: Debugger): DebugLog => {
    log.enabled = true;
    return Object.assign((f: string, ...args: unknown[]) => log(f, ...args), {
      extend: (name: string) => wrap(log.extend(name)),
    });
  };
  return wrap(root);
}
