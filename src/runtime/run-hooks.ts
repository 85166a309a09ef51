// The generic part of "hooks before → forward → hooks after". It knows nothing about any
// particular hook: adding one is a new file in hooks/ and a line in hooks/index.ts.

import type { ForwardOutcome, Hook, HookContext, HookEntry } from '../call/hook.js';

/** A hook that ran `before`, with what it carried to its `after`. */
export interface Ran {
  hook: Hook<unknown>;
  state: unknown;
}

export interface BeforeResult {
  ran: Ran[];
  refusal: string | undefined;
  warnings: string[];
}

function message(hook: Hook<unknown>, error: unknown): string {
  return `${hook.name}: ${error instanceof Error ? error.message : String(error)}`;
}

/** Each hook sees the call under its own debug namespace. */
function contextFor(hook: Hook<unknown>, ctx: HookContext): HookContext {
  return { ...ctx, debug: ctx.debug.extend(hook.name) };
}

export async function loadHooks(
  entries: readonly HookEntry[],
  ctx: HookContext,
): Promise<Hook<unknown>[]> {
  const command = ctx.parsed.command ?? '';
  const wanted = entries.filter((entry) => entry.commands.includes(command));
  const hooks = await Promise.all(wanted.map((entry) => entry.load()));
  return hooks.filter((hook) => hook.applies?.(ctx) ?? true);
}

export async function runBefore(
  hooks: readonly Hook<unknown>[],
  ctx: HookContext,
): Promise<BeforeResult> {
  const warnings: string[] = [];
  const ran: Ran[] = [];
  for (const hook of hooks) {
    const entry: Ran = { hook, state: undefined };
    ran.push(entry);
    if (!hook.before) continue;
    let result;
    try {
      result = await hook.before(contextFor(hook, ctx));
    } catch (error) {
      // Refusing is the safe side before the lower runtime has done anything.
      result = { refuse: message(hook, error) };
    }
    if (!result) continue;
    if ('refuse' in result) return { ran, refusal: result.refuse, warnings };
    if ('warn' in result) warnings.push(result.warn);
    else entry.state = result.carry;
  }
  return { ran, refusal: undefined, warnings };
}

export interface AfterResult {
  warnings: string[];
  /** Set by a hook that stopped the lower runtime's work itself (the CRIU watchdog). */
  failures: string[];
}

/**
 * After hooks never change the outcome: the lower runtime has already acted (a restore
 * that CRIU completed must not be reported as failed), so a hook that throws becomes a
 * warning. Only a hook that itself stopped the work may make the record an error.
 */
export async function runAfter(
  ran: readonly Ran[],
  ctx: HookContext,
  outcome: ForwardOutcome,
): Promise<AfterResult> {
  const warnings: string[] = [];
  const failures: string[] = [];
  for (const { hook, state } of [...ran].reverse()) {
    if (!hook.after) continue;
    try {
      const result = await hook.after(contextFor(hook, ctx), outcome, state);
      if (result && 'fail' in result) failures.push(result.fail);
      else if (result) warnings.push(result.warn);
    } catch (error) {
      warnings.push(message(hook, error));
    }
  }
  return { warnings, failures };
}
