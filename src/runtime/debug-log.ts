// Debug output goes to a file, never to fd 2: on `create`, fd 2 is the container's stderr.
// The `debug` package is loaded only when debugging is on, to keep start-up small. Each
// hook logs under its own namespace (debug's extend): cgherd:<command>:<hook>.

import { closeSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { format } from 'node:util';
import type { Debugger } from 'debug';
import type { DebugLog } from '../call/debug-log.js';
import { openLogFile } from './debug-log-file.js';
import { untrustedInTrees } from '../trust/tree.js';
import { OWNER_ADVICE } from '../trust/owner.js';

// `debug` and what it requires (supports-color, if there, with has-flag; ms): their
// folders, found as Node will find them for the file it runs, are checked before the first
// one loads.
const DEBUG_PACKAGES = ['debug', 'ms', 'supports-color', 'has-flag'];

function debugPackagesUntrusted(): string | undefined {
  const require = createRequire(process.argv[1] ?? '/');
  const dirs: string[] = [];
  for (const name of DEBUG_PACKAGES) {
    try {
      dirs.push(dirname(require.resolve(`${name}/package.json`)));
    } catch {
      // Not installed: nothing to load.
    }
  }
  return untrustedInTrees(dirs);
}

const noop: DebugLog = Object.assign(() => undefined, { extend: () => noop });

function debugWanted(env: Readonly<NodeJS.ProcessEnv>): boolean {
  return (env.DEBUG ?? '').includes('cgherd') || (env.CGHERD_DEBUG_LOG ?? '') !== '';
}

export interface OpenedDebugLog {
  log: DebugLog;
  /** Why the file was refused (no debug output this call): one warning for the caller. */
  warning?: string;
}

export async function openDebugLog(
  env: Readonly<NodeJS.ProcessEnv>,
  path: string,
  namespace: string,
  euid: number = process.geteuid?.() ?? 0,
): Promise<OpenedDebugLog> {
  if (!debugWanted(env)) return { log: noop };
  const file = openLogFile(path, euid);
  if ('refused' in file) return { log: noop, warning: file.refused };
  const { fd } = file;
  const untrusted = debugPackagesUntrusted();
  if (untrusted !== undefined) {
    closeSync(fd);
    return { log: noop, warning: `debug log off: ${untrusted}; ${OWNER_ADVICE}` };
  }
  const { default: createDebug } = await import('debug');
  // Deciding colours would make `debug` open process.stderr (see the note at the top).
  if (createDebug.inspectOpts) createDebug.inspectOpts.colors = false;
  if (!(env.DEBUG ?? '').includes('cgherd')) createDebug.enable('cgherd:*');
  const root = createDebug(namespace);
  root.log = (...args: unknown[]): void => {
    try {
      writeSync(fd, `${format(...args)}\n`);
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
  return { log: wrap(root) };
}
