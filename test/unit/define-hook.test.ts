// defineHook seals a hook's carried state in: its `after` gets exactly what its own
// `before` carried, and the runner applies `before`'s edits to the forwarded call in list
// order, never to the context. The @ts-expect-error lines are the type-level controls: the
// build fails if a wrongly typed carry or a mutation of the context compiles.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { defineHook, type HookContext } from '../../src/call/hook.js';
import { runAfter, runBefore } from '../../src/runtime/run-hooks.js';
import { testHookContext } from '../lib/call/hook-context.js';

function context(argv: string[], env: NodeJS.ProcessEnv = { PATH: '/bin' }): HookContext {
  return testHookContext(argv, { env });
}

test('after gets what its own before carried; undefined after a warning', async () => {
  const seen: (number | undefined)[] = [];
  const carrying = defineHook<number>({
    name: 'carrying',
    before: () => ({ carry: 41 + 1 }),
    after(_ctx, _outcome, n) {
      seen.push(n);
    },
  });
  const warning = defineHook<number>({
    name: 'warning',
    before: () => ({ warn: 'w' }),
    after(_ctx, _outcome, n) {
      seen.push(n);
    },
  });
  const ctx = context(['checkpoint', 'c1']);
  const before = await runBefore([carrying, warning], ctx);
  assert.equal(before.warnings, ['w']);
  await runAfter(before.ran, ctx, before.call, { status: 0, signal: null });
  assert.equal(seen, [undefined, 42], 'after-hooks run in reverse order, each with its carry');
});

test('edits apply in list order; a later hook sees the earlier edits, the context none', async () => {
  const saw: (string | undefined)[] = [];
  const first = defineHook({ name: 'first', before: () => ({ env: { A: '1', B: '1' } }) });
  const second = defineHook({
    name: 'second',
    before(ctx) {
      saw.push(ctx.childEnv.A);
      return { env: { B: '2' }, argv: ['checkpoint', 'c2'] };
    },
  });
  const ctx = context(['checkpoint', 'c1']);
  const before = await runBefore([first, second], ctx);
  assert.equal(saw, ['1']);
  assert.equal(before.call.env, { PATH: '/bin', A: '1', B: '2' });
  assert.equal(before.call.argv, ['checkpoint', 'c2']);
  assert.equal(ctx.childEnv, { PATH: '/bin' });
  assert.equal(ctx.argv, ['checkpoint', 'c1']);
});

test('types: a carry of the wrong type and a write to the context do not compile', () => {
  defineHook<string>({
    name: 'wrong',
    // @ts-expect-error a number is not the string this hook carries
    before: () => ({ carry: 1 }),
  });
  defineHook<string>({
    name: 'mutating',
    before(ctx) {
      // @ts-expect-error the forwarded environment changes only through returned edits
      ctx.childEnv.X = '1';
    },
  });
  assert.ok(true);
});

test.run();
