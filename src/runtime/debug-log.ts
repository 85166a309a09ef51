// Debug output goes to a file, never to fd 2: on `create`, fd 2 is the container's stderr.
// The `debug` package is loaded only when debugging is on, to keep start-up small.

import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { format } from 'node:util';

export type DebugFn = (formatString: string, ...args: unknown[]) => void;

const noop: DebugFn = () => undefined;

function debugWanted(env: Readonly<NodeJS.ProcessEnv>): boolean {
  return (env.DEBUG ?? '').includes('cgherd') || (env.CGHERD_DEBUG_LOG ?? '') !== '';
}

export async function openDebugLog(
  env: Readonly<NodeJS.ProcessEnv>,
  path: string,
  namespace: string,
): Promise<DebugFn> {
  if (!debugWanted(env)) return noop;
  const { default: createDebug } = await import('debug');
  // Deciding colours would make `debug` open process.stderr (see the note at the top).
  if (createDebug.inspectOpts) createDebug.inspectOpts.colors = false;
  const log = createDebug(namespace);
  if (!(env.DEBUG ?? '').includes('cgherd')) createDebug.enable('cgherd:*');
  log.enabled = true;
  log.log = (...args: unknown[]): void => {
    try {
      mkdirSync(dirname(path), { recursive: true });
      appendFileSync(path, `${format(...args)}\n`);
    } catch {
      // Debugging must never break the runtime path.
    }
  };
  return log;
}
