// The contract between the hook runner and the hooks in hooks/. A hook names the
// commands it wraps; the runner calls `before` ahead of the lower runtime and `after`
// once it has exited. Hooks never touch the forwarding itself.

import type { ParsedArgv } from './argv.js';
import type { Settings } from '../config/settings.js';

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
  /** Debug log, a no-op unless debugging is enabled. */
  readonly debug: (format: string, ...args: unknown[]) => void;
  /** Scratch space shared between a hook's `before` and its `after`. */
  readonly scratch: Map<string, unknown>;
}

export interface ForwardOutcome {
  /** The exit status cgherd will mirror: the child's code, or 128 + signal number. */
  status: number;
  signal: NodeJS.Signals | null;
}

/**
 * `refuse` (before only): stop; the lower runtime is not called and cgherd exits non-zero
 * with this message as its one error record.
 * `warn`: one warning record; the exit status stays the lower runtime's.
 */
export type HookResult = void | { refuse: string } | { warn: string };

export interface Hook {
  readonly name: string;
  readonly commands: readonly string[];
  /** Skip the hook for this call (for example `checkpoint --help`). */
  applies?(ctx: HookContext): boolean;
  before?(ctx: HookContext): Promise<HookResult> | HookResult;
  after?(ctx: HookContext, outcome: ForwardOutcome): Promise<HookResult> | HookResult;
}

/** hooks/index.ts lists hooks lazily so that a call only loads the hooks it needs. */
export interface HookEntry {
  readonly name: string;
  readonly commands: readonly string[];
  load(): Promise<Hook>;
}
