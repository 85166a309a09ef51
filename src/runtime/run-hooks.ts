// The generic part of "hooks before → forward → hooks after". It knows nothing about any
// particular hook: adding one is a new file in hooks/ and a line in hooks/index.ts. The
// call the lower runtime gets is the one received with each hook's edits applied in list
// order; a hook sees the edits of the hooks before it.

import type {
  Begun,
  DefinedHook,
  Edits,
  ForwardOutcome,
  HookContext,
  HookEntry,
} from '../call/hook.js';

/** A hook that ran `before`, with its `after` bound to what it carried. */
export interface Ran {
  hook: DefinedHook;
  after: Begun['after'];
}

/** What forward() runs: the lower runtime's argv and environment, and which signals
 *  reaching cgherd it relays. */
export interface ForwardedCall {
  readonly argv: readonly string[];
  readonly env: Readonly<NodeJS.ProcessEnv>;
  readonly relays: (signal: NodeJS.Signals) => boolean;
}

export interface BeforeResult {
  ran: Ran[];
  refusal: string | undefined;
  warnings: string[];
  call: ForwardedCall;
}

function message(hook: DefinedHook, error: unknown): string {
  return `${hook.name}: ${error instanceof Error ? error.message : String(error)}`;
}

/** Each hook sees the call under its own debug namespace, with the environment so far. */
function contextFor(hook: DefinedHook, ctx: HookContext, call: ForwardedCall): HookContext {
  return { ...ctx, childEnv: call.env, debug: ctx.debug.extend(hook.name) };
}

/** The call as received: what the lower runtime gets when no hook edits it. */
export function receivedCall(ctx: HookContext): ForwardedCall {
  return { argv: ctx.argv, env: ctx.childEnv, relays: () => true };
}

export function applyEdits(call: ForwardedCall, edits: Edits): ForwardedCall {
  return {
    argv: edits.argv ?? call.argv,
    env: edits.env ? { ...call.env, ...edits.env } : call.env,
    relays: edits.relays ?? call.relays,
  };
}

export async function loadHooks(
  entries: readonly HookEntry[],
  ctx: HookContext,
): Promise<DefinedHook[]> {
  const command = ctx.parsed.command ?? '';
  const wanted = entries.filter((entry) => entry.commands.includes(command));
  const hooks = await Promise.all(wanted.map((entry) => entry.load()));
  return hooks.filter((hook) => hook.applies(ctx));
}

export async function runBefore(
  hooks: readonly DefinedHook[],
  ctx: HookContext,
): Promise<BeforeResult> {
  const warnings: string[] = [];
  const ran: Ran[] = [];
  let call = receivedCall(ctx);
  for (const hook of hooks) {
    const entry: Ran = { hook, after: undefined };
    ran.push(entry);
    let result;
    try {
      const begun = await hook.begin(contextFor(hook, ctx, call));
      entry.after = begun.after;
      result = begun.result;
    } catch (error) {
      // Refusing is the safe side before the lower runtime has done anything.
      result = { refuse: message(hook, error) };
    }
    if (!result) continue;
    if ('refuse' in result) return { ran, refusal: result.refuse, warnings, call };
    if ('warn' in result) warnings.push(result.warn);
    else call = applyEdits(call, result);
  }
  return { ran, refusal: undefined, warnings, call };
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
  call: ForwardedCall,
  outcome: ForwardOutcome,
): Promise<AfterResult> {
  const warnings: string[] = [];
  const failures: string[] = [];
  for (const { hook, after } of [...ran].reverse()) {
    if (!after) continue;
    try {
      const result = await after(contextFor(hook, ctx, call), outcome);
      if (result && 'fail' in result) failures.push(result.fail);
      else if (result) warnings.push(result.warn);
    } catch (error) {
      warnings.push(message(hook, error));
    }
  }
  return { warnings, failures };
}
