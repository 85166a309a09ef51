// One call's HookContext: argv, settings, environment, and the host facts several hooks
// need (the cgroup mounts, cgherd's own cgroups, the OCI config file), each read on first
// use and then shared, so that a restore reads each of them once: the config the
// validator checked is the one the restore hook places the container by.

import { readFileSync } from 'node:fs';
import { CRIU_CONFIG_DIR } from '../criu/config-file.js';
import { callerEnv } from '../lower/caller-env.js';
import { ociConfigPath } from '../lower/path-rules.js';
import { parseProcCgroup, type ProcCgroupLine } from '../proc/cgroup-file.js';
import { cgroupMounts, parseMountinfo, type CgroupMount } from '../proc/mountinfo.js';
import { readSmallFile } from '../proc/node-host.js';
import { optionValue, type ParsedArgv } from './argv.js';
import type { DebugLog } from './debug-log.js';
import type { HookContext } from './hook.js';
import type { Settings } from '../config/settings.js';

function once<T>(read: () => T): () => T {
  let done = false;
  let value: T;
  return () => {
    if (!done) {
      value = read();
      done = true;
    }
    return value;
  };
}

/** Remembers a thrown error too: every caller sees the same failure, one read. */
function onceOrThrow<T>(read: () => T): () => T {
  const result = once((): { value: T } | { error: unknown } => {
    try {
      return { value: read() };
    } catch (error) {
      return { error };
    }
  });
  return () => {
    const r = result();
    if ('error' in r) throw r.error;
    return r.value;
  };
}

export function newCallContext(
  argv: readonly string[],
  parsed: ParsedArgv,
  settings: Settings,
  env: NodeJS.ProcessEnv,
  debug: DebugLog,
  /** Tests point the CRIU config directory at their own. */
  opts: { criuConfigDir?: string } = {},
): HookContext {
  const configPath = once((): string =>
    ociConfigPath(
      { config: optionValue(parsed, 'config'), bundle: optionValue(parsed, 'bundle') },
      process.cwd(),
    ),
  );
  const configText = onceOrThrow((): string => readFileSync(configPath(), 'utf8'));
  return {
    criuConfigDir: opts.criuConfigDir ?? CRIU_CONFIG_DIR,
    argv,
    parsed,
    settings,
    env,
    childEnv: callerEnv(env),
    debug,
    cgroupMounts: once((): CgroupMount[] | undefined => {
      const text = readSmallFile('/proc/self/mountinfo');
      return text === undefined ? undefined : cgroupMounts(parseMountinfo(text));
    }),
    ownCgroups: once((): ProcCgroupLine[] | undefined => {
      const text = readSmallFile('/proc/self/cgroup');
      return text === undefined ? undefined : parseProcCgroup(text);
    }),
    ociConfigPath: configPath,
    ociConfigText: configText,
    bundleConfig: onceOrThrow((): unknown => JSON.parse(configText()) as unknown),
  };
}
