// The contract between the hook runner and the hooks in hooks/. The runner calls `before`
// ahead of the lower runtime and `after` once it has exited; what `before` carries is
// handed to `after`, typed (defineHook seals the type in). A hook changes the forwarded
// call only by what its `before` returns (Edits); the runner applies those in list order.
// Which commands a hook wraps is said once, in hooks/index.ts.

import type { ParsedArgv } from './argv.js';
import type { DebugLog } from './debug-log.js';
import type { Settings } from '../config/settings.js';
import type { ProcCgroupLine } from '../proc/cgroup-file.js';
import type { CgroupMount } from '../proc/mountinfo.js';

/** What every hook of one call sees. Host facts are read on first use, once per call. */
export interface HookContext {
  /** argv exactly as received; the lower runtime gets it unless a hook returns another. */
  readonly argv: readonly string[];
  readonly parsed: ParsedArgv;
  readonly settings: Settings;
  /** The environment cgherd was started with. */
  readonly env: Readonly<NodeJS.ProcessEnv>;
  /**
   * The environment the lower runtime will get, with the edits of the hooks before this
   * one (restore-into-cgroup adds CRIU_CONFIG_FILE); in `after`, every hook's edits.
   */
  readonly childEnv: Readonly<NodeJS.ProcessEnv>;
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

/** What a `before` changes in the call the lower runtime gets. */
export interface Edits {
  /** Variables to set in its environment (added, or replacing the value). */
  readonly env?: Readonly<Record<string, string>>;
  /** The argv to forward instead. */
  readonly argv?: readonly string[];
  /** Whether forward() relays a signal that has just arrived to it (a restore holds some). */
  readonly relays?: (signal: NodeJS.Signals) => boolean;
}

/** Go ahead, with edits to the call and what `before` hands to `after`. */
export interface Proceed<State> extends Edits {
  readonly carry?: State;
}

type Maybe<T> = Promise<T | void> | T | void;

export interface Hook<State = never> {
  readonly name: string;
  /** Skip the hook for this call (a setting turns it off). */
  applies?(ctx: HookContext): boolean;
  before?(ctx: HookContext): Maybe<Refusal | Warning | Proceed<State>>;
  /** `state` is what `before` carried; undefined when it carried nothing. */
  after?(
    ctx: HookContext,
    outcome: ForwardOutcome,
    state: State | undefined,
  ): Maybe<Warning | AfterFailure>;
}

/** What a defined hook's `before` left: its answer, and its `after` bound to its carry. */
export interface Begun {
  readonly result: Refusal | Warning | Edits | void;
  readonly after?: (ctx: HookContext, outcome: ForwardOutcome) => Maybe<Warning | AfterFailure>;
}

/** A hook whose carried state's type is sealed in: its `after` can only ever be handed
 *  what its own `before` carried, so the runner needs no type for it. */
export interface DefinedHook {
  readonly name: string;
  applies(ctx: HookContext): boolean;
  begin(ctx: HookContext): Promise<Begun>;
}

export function defineHook<State = never>(hook: Hook<State>): DefinedHook {
  return {
    name: hook.name,
    applies: (ctx) => hook.applies?.(ctx) ?? true,
    async begin(ctx) {
      const result = hook.before ? await hook.before(ctx) : undefined;
      const carried = result && 'carry' in result ? result.carry : undefined;
      const after = hook.after?.bind(hook);
      return { result, ...(after ? { after: (c, outcome) => after(c, outcome, carried) } : {}) };
    },
  };
}

/** hooks/index.ts lists hooks lazily so that a call only loads the hooks it needs. */
export interface HookEntry {
  readonly name: string;
  readonly commands: readonly string[];
  load(): Promise<DefinedHook>;
}
