// Settings = /etc/cgherd/config.json (or CGHERD_CONFIG) + environment overrides.
// A broken file is an error naming the file and the field; it never falls back silently,
// because on a production host the file is the only configuration Podman lets through.

import { existsSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import {
  DEFAULT_CONFIG_FILE,
  DEFAULT_CRIU_STALL_TIMEOUT,
  DEFAULT_DEBUG_LOG,
  RESTORE_CGROUP_ROOT_MODES,
  VALIDATE_MODES,
  type ConfigFile,
  type RestoreCgroupRootMode,
  type Settings,
  type ValidateMode,
} from './settings.js';
import { findDefaultRuntime } from '../lower/locate.js';
import { isExecutableFile } from '../proc/executable.js';
import { validateCgherdConfig } from '../validate/cgherd-config.js';
import { parseJsonText } from '../validate/read-json.js';
import { readConfigText } from './read-config.js';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** The config file itself is unusable (unreadable, not JSON, a bad field, untrusted). */
export class ConfigFileError extends ConfigError {
  constructor(
    message: string,
    readonly file: string,
  ) {
    super(message);
  }
}

function readConfigFile(path: string, explicit: boolean): ConfigFile {
  if (!explicit && !existsSync(path)) return {};
  const text = readConfigText(path);
  if (!text.ok) {
    const message = text.message.startsWith(path) ? text.message : `${path}: ${text.message}`;
    throw new ConfigFileError(
      text.message.startsWith('cannot read')
        ? `config file: ${text.message}`
        : `config file ${message}`,
      path,
    );
  }
  const read = parseJsonText(path, text.text);
  if (!read.ok) {
    throw new ConfigFileError(
      read.kind === 'syntax' ? `config file ${read.message}` : `config file: ${read.message}`,
      path,
    );
  }
  const issues = validateCgherdConfig(read.data);
  const first = issues[0];
  if (first) {
    const field = first.pointer === '' ? '(top level)' : first.pointer;
    throw new ConfigFileError(`config file ${path}: field ${field}: ${first.message}`, path);
  }
  return read.data as ConfigFile;
}

function runtimeFrom(
  env: Readonly<NodeJS.ProcessEnv>,
  file: ConfigFile,
  configFile: string,
): string {
  const override = env.CGHERD_RUNTIME;
  if (override !== undefined) return checkRuntime(override, 'CGHERD_RUNTIME');
  if (file.runtime !== undefined)
    return checkRuntime(file.runtime, `${configFile}: field /runtime`);
  const found = findDefaultRuntime(env.PATH);
  if (found === undefined) {
    throw new ConfigError(
      `no lower runtime found: crun is in none of the standard locations nor on PATH; ` +
        `set "runtime" in ${configFile} or CGHERD_RUNTIME`,
    );
  }
  return found;
}

function checkRuntime(path: string, source: string): string {
  if (!isAbsolute(path)) {
    throw new ConfigError(`lower runtime "${path}" (from ${source}) is not an absolute path`);
  }
  if (!isExecutableFile(path)) {
    throw new ConfigError(`lower runtime ${path} (from ${source}) is missing or not executable`);
  }
  return path;
}

/** An environment override that must be one of `modes`; undefined when unset. */
function modeOverride<T extends string>(
  env: Readonly<NodeJS.ProcessEnv>,
  name: string,
  modes: readonly T[],
): T | undefined {
  const override = env[name];
  if (override === undefined) return undefined;
  if ((modes as readonly string[]).includes(override)) return override as T;
  throw new ConfigError(`${name}="${override}" is not one of ${modes.join(', ')}`);
}

function validateModeFrom(env: Readonly<NodeJS.ProcessEnv>, file: ConfigFile): ValidateMode {
  return modeOverride(env, 'CGHERD_VALIDATE', VALIDATE_MODES) ?? file.validate ?? 'enforce';
}

function restoreCgroupRootFrom(
  env: Readonly<NodeJS.ProcessEnv>,
  file: ConfigFile,
): RestoreCgroupRootMode {
  return (
    modeOverride(env, 'CGHERD_RESTORE_CGROUP_ROOT', RESTORE_CGROUP_ROOT_MODES) ??
    file.restoreCgroupRoot ??
    'auto'
  );
}

function debugLogFrom(env: Readonly<NodeJS.ProcessEnv>, file: ConfigFile): string {
  const override = env.CGHERD_DEBUG_LOG;
  if (override === undefined || override === '') return file.debugLog ?? DEFAULT_DEBUG_LOG;
  if (!isAbsolute(override)) {
    throw new ConfigError(`CGHERD_DEBUG_LOG="${override}" is not an absolute path`);
  }
  return override;
}

function criuStallTimeoutFrom(env: Readonly<NodeJS.ProcessEnv>, file: ConfigFile): number {
  const override = env.CGHERD_CRIU_STALL_TIMEOUT;
  if (override === undefined || override === '') {
    return file.criuStallTimeout ?? DEFAULT_CRIU_STALL_TIMEOUT;
  }
  if (!/^\d{1,7}$/.test(override)) {
    throw new ConfigError(
      `CGHERD_CRIU_STALL_TIMEOUT="${override}" is not a whole number of seconds (0: never)`,
    );
  }
  return Number(override);
}

function configFileOf(env: Readonly<NodeJS.ProcessEnv>): { path: string; explicit: boolean } {
  const explicit = env.CGHERD_CONFIG !== undefined && env.CGHERD_CONFIG !== '';
  return { path: explicit ? (env.CGHERD_CONFIG as string) : DEFAULT_CONFIG_FILE, explicit };
}

/** Settings from the environment and an already read file (`{}` for none). */
export function settingsFrom(
  env: Readonly<NodeJS.ProcessEnv>,
  file: ConfigFile,
  configFile: string,
): Settings {
  return {
    lowerRuntime: runtimeFrom(env, file, configFile),
    validate: validateModeFrom(env, file),
    herd: file.herd ?? true,
    restoreCgroupRoot: restoreCgroupRootFrom(env, file),
    debugLog: debugLogFrom(env, file),
    criuStallTimeout: criuStallTimeoutFrom(env, file),
    configFile,
  };
}

export function loadSettings(env: Readonly<NodeJS.ProcessEnv> = process.env): Settings {
  const { path, explicit } = configFileOf(env);
  return settingsFrom(env, readConfigFile(path, explicit), path);
}
