// A broken config file must never stop teardown or queries: behind Podman, a trailing
// comma in /etc/cgherd/config.json would otherwise leave no container on the host that
// can be stopped or removed. These commands ignore the file, find the lower runtime the
// standard way (CGHERD_RUNTIME, then the standard locations, then PATH), and say so in
// one warning line. create, run, restore and checkpoint still refuse: they act on what
// the file says (validation, herd, restore root), so guessing there could do harm.

import { ConfigFileError, loadSettings, settingsFrom } from './load.js';
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

export function loadSettingsFor(
  command: string | undefined,
  env: Readonly<NodeJS.ProcessEnv>,
): Loaded {
  try {
    return { settings: loadSettings(env) };
  } catch (error) {
    if (!(error instanceof ConfigFileError) || !SURVIVE_BROKEN_CONFIG.has(command)) throw error;
    const settings = settingsFrom(env, {}, error.file);
    // "config file X is not valid JSON" and "config file: cannot read X" alike.
    const problem = error.message.replace(/^config file:? /, '').replace(/\s*\n\s*/g, '; ');
    return {
      settings,
      warning: `ignoring the broken config file: ${problem}; ${command ?? 'this command'} uses ${settings.lowerRuntime} (standard search)`,
    };
  }
}
