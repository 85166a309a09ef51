// The generic part of "hooks before → forward → hooks after". It knows nothing about any
// particular hook: adding one is a new file in hooks/ and a line in hooks/index.ts.

import type { ForwardOutcome, Hook, HookContext, HookEntry, HookResult } from './hook.js';

export interface BeforeResult {
  hooks: Hook[];
  refusal: string | undefined;
  warnings: string[];
}

export async function loadHooks(entries: readonly HookEntry[], ctx: HookContext): Promise<Hook[]> {
  const command = ctx.parsed.command ?? '';
  const wanted = entries.filter((entry) => entry.commands.includes(command));
  const hooks = await Promise.all(wanted.map((entry) => entry.load()));
  return hooks.filter((hook) => hook.applies?.(ctx) ?? true);
}

function collect(result: HookResult, warnings: string[]): string | undefined {
  if (!result) return undefined;
  if ('warn' in result) {
    warnings.push(result.warn);
    return undefined;
  }
  return result.refuse;
}

export async function runBefore(hooks: readonly Hook[], ctx: HookContext): Promise<BeforeResult> {
  const warnings: string[] = [];
  const ran: Hook[] = [];
  for (const hook of hooks) {
    ran.push(hook);
    if (!hook.before) continue;
    let result: HookResult;
    try {
      result = await hook.before(ctx);
    } catch (error) {
      // Refusing is the safe side before the lower runtime has done anything.
      result = {
        refuse: `${hook.name}: ${error instanceof Error ? error.message : String(error)}`,
      };
    }
    const refusal = collect(result, warnings);
    if (refusal !== undefined) return { hooks: ran, refusal, warnings };
  }
  return { hooks: ran, refusal: undefined, warnings };
}

/**
 * After hooks never change the outcome: the lower runtime has already acted (a restore
 * that CRIU completed must not be reported as failed), so failures become warnings.
 */
export async function runAfter(
  hooks: readonly Hook[],
  ctx: HookContext,
  outcome: ForwardOutcome,
): Promise<string[]> {
  const warnings: string[] = [];
  for (const hook of [...hooks].reverse()) {
    if (!hook.after) continue;
    try {
      const result = await hook.after(ctx, outcome);
      if (result && 'refuse' in result) warnings.push(result.refuse);
      else collect(result, warnings);
    } catch (error) {
      warnings.push(`${hook.name}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return warnings;
}
