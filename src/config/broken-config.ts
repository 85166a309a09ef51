// A broken config file must never stop teardown or queries: behind Podman, a trailing
// comma in /etc/cgherd/config.json would otherwise leave no container on the host that
// can be stopped or removed. These commands ignore the file, find the lower runtime the
// standard way (CGHERD_RUNTIME, then the standard locations, then PATH), and say so in
// one warning line. create, run, restore and checkpoint still refuse: they act on what
// the file says (validation, herd, restore root), so guessing there could do harm.
// The lower runtime for teardown is the one the file named when it last loaded
// (last-good.ts): the runtime that created the containers. Only without one, or with
// CGHERD_RUNTIME set, is it found the standard way.

import { ConfigFileError, loadSettings, settingsFrom } from './load.js';
import { lastGoodRuntime, rememberRuntime } from './last-good.js';
import type { Settings } from './settings.js';

/** `undefined` is no command word: `cgherd --version`. */
export const SURVIVE_BROKEN_CONFIG: ReadonlySet<string | undefined> = new Set([
  undefined,
  'state',
  'kill',
  'delete',
  'list',
  'pause',
  'resume',
  'ps',
  'events',
  'features',
]);

export interface Loaded {
  settings: Settings;
  /** One line, set when the file was ignored. */
  warning?: string;
}

/** Settings with the last good runtime, when one is kept and still there. */
function lastGood(env: Readonly<NodeJS.ProcessEnv>, file: string): Settings | undefined {
  const runtime = lastGoodRuntime(file);
  if (runtime === undefined) return undefined;
  try {
    return settingsFrom(env, { runtime }, file);
  } catch {
    return undefined; // gone since: the standard search
  }
}

export function loadSettingsFor(
  command: string | undefined,
  env: Readonly<NodeJS.ProcessEnv>,
): Loaded {
  const overridden = env.CGHERD_RUNTIME !== undefined;
  try {
    const settings = loadSettings(env);
    if (!overridden && settings.configFile !== undefined) {
      rememberRuntime(settings.configFile, settings.lowerRuntime);
    }
    return { settings };
  } catch (error) {
    if (!(error instanceof ConfigFileError) || !SURVIVE_BROKEN_CONFIG.has(command)) throw error;
    // "config file X is not valid JSON" and "config file: cannot read X" alike.
    const problem = error.message.replace(/^config file:? /, '').replace(/\s*\n\s*/g, '; ');
    const last = overridden ? undefined : lastGood(env, error.file);
    if (last !== undefined) {
      return {
        settings: last,
        warning: `ignoring the broken config file: ${problem}; ${command ?? 'this command'} uses ${last.lowerRuntime} (the lower runtime the file named when it last loaded)`,
      };
    }
    const settings = settingsFrom(env, {}, error.file);
    return {
      settings,
      warning: `ignoring the broken config file: ${problem}; ${command ?? 'this command'} uses ${settings.lowerRuntime} (standard search)`,
    };
  }
}
