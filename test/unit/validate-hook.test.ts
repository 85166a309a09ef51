// The validate-config hook without a runtime: which file it reads, and what each mode
// does with a broken config. Control: the same bundle with a valid config passes.

import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import hook from '../../hooks/validate-config.js';
import { HOOKS } from '../../hooks/index.js';
import { parseArgv } from '../../src/runtime/argv.js';
import { newCallContext } from '../../src/runtime/call-context.js';
import type { DebugLog } from '../../src/runtime/debug-log.js';
import type { HookContext } from '../../src/runtime/hook.js';
import { isIntercepted } from '../../src/runtime/intercepted.js';
import type { ValidateMode } from '../../src/config/settings.js';
import { ociConfigPathFor } from '../../src/validate/config-path.js';

const REPO = fileURLToPath(new URL('../../..', import.meta.url));
const GOOD = join(REPO, 'test/fixtures/oci-configs/podman-4.3.1/default.json');
const dir = mkdtempSync(join(tmpdir(), 'cgt-val-hook-'));
const goodBundle = join(dir, 'good');
const badBundle = join(dir, 'bad');
mkdirSync(goodBundle);
mkdirSync(badBundle);
copyFileSync(GOOD, join(goodBundle, 'config.json'));
writeFileSync(join(badBundle, 'config.json'), '{"ociVersion": 1}');

test.after(() => rmSync(dir, { recursive: true, force: true }));

function context(argv: string[], mode: ValidateMode): { ctx: HookContext; logged: string[] } {
  const logged: string[] = [];
  const debug: DebugLog = Object.assign(
    (format: string, ...args: unknown[]) => {
      logged.push([format, ...args.map(String)].join(' '));
    },
    { extend: () => debug },
  );
  const settings = {
    lowerRuntime: '/usr/bin/crun',
    validate: mode,
    herd: true,
    restoreCgroupRoot: 'auto' as const,
    debugLog: '/dev/null',
    configFile: undefined,
  };
  const ctx: HookContext = newCallContext(argv, parseArgv(argv), settings, {}, debug);
  return { ctx, logged };
}

test('registered for create, run and restore', () => {
  const entry = HOOKS.find((h) => h.name === 'validate-config');
  assert.ok(entry);
  assert.equal([...(entry?.commands ?? [])].sort(), ['create', 'restore', 'run']);
});

test('control: a valid bundle passes in enforce mode', async () => {
  const { ctx } = context(['create', '--bundle', goodBundle, 'cgt-val-1'], 'enforce');
  assert.ok(hook.applies?.(ctx));
  assert.is(await hook.before?.(ctx), undefined);
});

test('enforce: refuses with one line naming the file, pointer, expected and found', async () => {
  const { ctx } = context(
    ['--log-format', 'json', 'create', '-b', badBundle, 'cgt-val-1'],
    'enforce',
  );
  const result = await hook.before?.(ctx);
  assert.equal(result, {
    refuse: `invalid OCI config ${badBundle}/config.json: /ociVersion: expected string, found number 1`,
  });
});

test('enforce: an unreadable config is refused too', async () => {
  const { ctx } = context(['run', '--bundle', join(dir, 'missing'), 'cgt-val-1'], 'enforce');
  const result = await hook.before?.(ctx);
  assert.equal(result, {
    refuse: `invalid OCI config: cannot read ${dir}/missing/config.json: no such file`,
  });
});

test('warn: logs to the debug log and lets the call through', async () => {
  const { ctx, logged } = context(
    ['restore', '--bundle', badBundle, '--image-path', '/x', 'cgt-val-1'],
    'warn',
  );
  assert.ok(hook.applies?.(ctx));
  assert.is(await hook.before?.(ctx), undefined);
  assert.is(logged.length, 1);
  assert.match(logged[0] ?? '', '/ociVersion: expected string, found number 1');
});

test('off: the hook does not apply', () => {
  const { ctx } = context(['create', '--bundle', badBundle, 'cgt-val-1'], 'off');
  assert.not.ok(hook.applies?.(ctx));
});

test('--help is a probe: no hook runs for it', () => {
  assert.not.ok(isIntercepted(parseArgv(['create', '--help'])));
});

test('-f/--config wins over the bundle, relative to the current directory', async () => {
  const { ctx } = context(['create', '--bundle', badBundle, '-f', GOOD, 'cgt-val-1'], 'enforce');
  assert.is(await hook.before?.(ctx), undefined);
  assert.is(ociConfigPathFor({ config: 'x/c.json', bundle: '/b' }, '/cwd'), '/cwd/x/c.json');
});

test('config file rules follow crun', () => {
  // No --bundle: the current directory.
  assert.is(ociConfigPathFor({}, '/cwd'), '/cwd/config.json');
  assert.is(ociConfigPathFor({ bundle: 'rel' }, '/cwd'), '/cwd/rel/config.json');
  // crun opens a literal "config.json" after changing into the bundle.
  assert.is(ociConfigPathFor({ config: 'config.json', bundle: '/b' }, '/cwd'), '/b/config.json');
  assert.is(ociConfigPathFor({ config: '/abs/c.json', bundle: '/b' }, '/cwd'), '/abs/c.json');
});

test.run();
