// The settings every part of cgherd reads, after the config file and the environment
// overrides have been merged. Loading lives in load.ts; this file is types only.

import type { RestoreCgroupRootMode } from '../lower/needs.js';

export { RESTORE_CGROUP_ROOT_MODES, type RestoreCgroupRootMode } from '../lower/needs.js';

export type ValidateMode = 'enforce' | 'warn' | 'off';

export const VALIDATE_MODES: readonly ValidateMode[] = ['enforce', 'warn', 'off'];

/** The shape of /etc/cgherd/config.json (schemas/cgherd-config.schema.json). */
export interface ConfigFile {
  /** The lower runtime's path (the file's key keeps its published name). */
  runtime?: string;
  validate?: ValidateMode;
  herd?: boolean;
  restoreCgroupRoot?: RestoreCgroupRootMode;
  debugLog?: string;
  criuStallTimeout?: number;
}

export interface Settings {
  /** Absolute path of the lower runtime (crun, runc, ...), the one cgherd forwards to. */
  lowerRuntime: string;
  validate: ValidateMode;
  herd: boolean;
  restoreCgroupRoot: RestoreCgroupRootMode;
  /** Where `debug` output goes when enabled; never fd 2. */
  debugLog: string;
  /** Seconds a checkpoint's or restore's CRIU may make no progress before cgherd stops
   *  it; 0: never. */
  criuStallTimeout: number;
  /** The config file that was read, if any. */
  configFile: string | undefined;
}

export const DEFAULT_CONFIG_FILE = '/etc/cgherd/config.json';
export const DEFAULT_DEBUG_LOG = '/run/cgherd/debug.log';
/** Generous: a big container's dump writes pages all along and never looks stalled; a CRIU
 *  that waits for a breakpoint trap writes nothing at all. */
export const DEFAULT_CRIU_STALL_TIMEOUT = 300;
