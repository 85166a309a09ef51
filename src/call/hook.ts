// The contract between the hook runner and the hooks in hooks/. The runner calls `before`
// ahead of the lower runtime and `after` once it has exited; what `before` carries is
// handed to `after`, typed. Hooks never touch the forwarding itself. Which commands a
// hook wraps is said once, in hooks/index.ts.

import type { ParsedArgv } from './argv.js';
import type { DebugLog } from './debug-log.js';
import type { Settings } from '../config/settings.js';
import type { ProcCgroupLine } from '../proc/cgroup-file.js';
import type { CgroupMount } from '../proc/mountinfo.js';

/** What every hook of one call sees. Host facts are read on first use, once per call. */
export interface HookContext {
  /** argv exactly as received; it is what the lower runtime gets. */
  readonly argv: readonly string[];
  readonly parsed: ParsedArgv;
  readonly settings: Settings;
  /** The environment cgherd was started with. */
  readonly env: Readonly<NodeJS.ProcessEnv>;
  /**
   * The environment the lower runtime will get. Equal to `env` unless a hook has a
   * reason to add to it (restore-into-cgroup sets CRIU_CONFIG_FILE).
   */
  childEnv: NodeJS.ProcessEnv;
  /** Debug log, a no-op unless debugging is enabled; each hook gets its own namespace. */
  readonly debug: DebugLog;
  /** The cgroup mounts of cgherd's mount namespace; undefined when unreadable. */
  cgroupMounts(): readonly CgroupMount[] | undefined;
  /** cgherd's own /proc/self/cgroup; undefined when unreadable. */
  ownCgroups(): readonly ProcCgroupLine[] | undefined;
  /** The OCI config file the lower runtime will read (lower/path-rules.ts). */
  ociConfigPath(): string;
  /** Its text, read once per call. Throws (each time, the same error) when unreadable. */
  ociConfigText(): string;
  /** The same text, parsed. Throws (each time) when it cannot be read or parsed. */
  bundleConfig(): unknown;
  /** Where restore-into-cgroup writes its per-restore CRIU config file. */
  readonly criuConfigDir: string;
}

export interface ForwardOutcome {
  /** The exit status cgherd will mirror: the child's code, or 128 + signal number. */
  status: number;
  signal: NodeJS.Signals | null;
}

/** Before only: stop; the lower runtime is not called and cgherd exits non-zero with this
 *  message as its one error record. */
export interface Refusal {
  refuse: string;
}

/** One warning record; the exit status stays the lower runtime's. */
export interface Warning {
  warn: string;
}

/** After only: cgherd itself stopped what the lower runtime was doing (the CRIU watchdog);
 *  the call's one record is an error with this message. */
export interface AfterFailure {
  fail: string;
}

/** What `before` hands to `after`. */
export interface Carry<State> {
  carry: State;
}

export interface Hook<State = never> {
  readonly name: string;
  /** Skip the hook for this call (a setting turns it off). */
  applies?(ctx: HookContext): boolean;
  before?(
    ctx: HookContext,
  ): Promise<Refusal | Warning | Carry<State> | void> | Refusal | Warning | Carry<State> | void;
  /** `state` is what `before` carried; undefined when it carried nothing. */
  after?(
    ctx: HookContext,
    outcome: ForwardOutcome,
    state: State | undefined,
  ): Promise<Warning | AfterFailure | void> | Warning | AfterFailure | void;
}

/** hooks/index.ts lists hooks lazily so that a call only loads the hooks it needs. */
export interface HookEntry {
  readonly name: string;
  readonly commands: readonly string[];
  load(): Promise<Hook<unknown>>;
}
