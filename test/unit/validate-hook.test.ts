// The validate-config hook without a runtime: which file it reads, and what each mode
// does with a broken config. Control: the same bundle with a valid config passes.

import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import hook from '../../hooks/validate-config.js';
import { HOOKS } from '../../hooks/index.js';
import { parseArgv } from '../../src/call/argv.js';
import type { DebugLog } from '../../src/call/debug-log.js';
import type { HookContext } from '../../src/call/hook.js';
import { isIntercepted } from '../../src/runtime/intercepted.js';
import type { ValidateMode } from '../../src/config/settings.js';
import { ociConfigPath } from '../../src/lower/path-rules.js';
import { testHookContext } from '../lib/call/hook-context.js';
import { AMENDMENTS } from '../../src/validate/amendments.js';

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
  const ctx = testHookContext(argv, {
    settings: { lowerRuntime: '/usr/bin/crun', validate: mode, restoreCgroupRoot: 'auto' },
    debug,
  });
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
  assert.is((await hook.begin(ctx)).result, undefined);
});

test('enforce: refuses with one line naming the file, pointer, expected and found', async () => {
  const { ctx } = context(
    ['--log-format', 'json', 'create', '-b', badBundle, 'cgt-val-1'],
    'enforce',
  );
  const result = (await hook.begin(ctx)).result;
  assert.equal(result, {
    refuse: `invalid OCI config ${badBundle}/config.json: /ociVersion: expected string, found number 1`,
  });
});

test('enforce: an unreadable config is refused too', async () => {
  const { ctx } = context(['run', '--bundle', join(dir, 'missing'), 'cgt-val-1'], 'enforce');
  const result = (await hook.begin(ctx)).result;
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
  assert.is((await hook.begin(ctx)).result, undefined);
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
  assert.is((await hook.begin(ctx)).result, undefined);
  assert.is(ociConfigPath({ config: 'x/c.json', bundle: '/b' }, '/cwd'), '/cwd/x/c.json');
});

test('config file rules follow crun', () => {
  // No --bundle: the current directory.
  assert.is(ociConfigPath({}, '/cwd'), '/cwd/config.json');
  assert.is(ociConfigPath({ bundle: 'rel' }, '/cwd'), '/cwd/rel/config.json');
  // crun opens a literal "config.json" after changing into the bundle.
  assert.is(ociConfigPath({ config: 'config.json', bundle: '/b' }, '/cwd'), '/b/config.json');
  assert.is(ociConfigPath({ config: '/abs/c.json', bundle: '/b' }, '/cwd'), '/abs/c.json');
});

// Restore: a config that crun restores is not refused. crun restores the config it
// created, so every case the amendments accept must pass the hook's restore path too.
const RESTORE_FIXTURES = ['restore.json', 'restore-import.json'];

function restoreBundle(name: string, config: Record<string, unknown> | string): string {
  const bundle = join(dir, `restore-${name}`);
  mkdirSync(bundle, { recursive: true });
  const text = typeof config === 'string' ? config : JSON.stringify(config);
  writeFileSync(join(bundle, 'config.json'), text);
  return bundle;
}

function restoreArgv(bundle: string): string[] {
  return [
    'restore',
    '--bundle',
    bundle,
    '--image-path',
    join(bundle, 'checkpoint'),
    '--detach',
    'cgt-val-r',
  ];
}

/** `value` at `pointer` (`*` = 0) in a copy of a Podman restore config. */
function amended(fixture: string, pointer: string, value: unknown): Record<string, unknown> {
  const config = JSON.parse(
    readFileSync(join(REPO, 'test/fixtures/oci-configs/podman-4.3.1', fixture), 'utf8'),
  ) as Record<string, unknown>;
  const tokens = pointer
    .split('/')
    .slice(1)
    .map((t) => (t === '*' ? '0' : t));
  const last = tokens.pop() as string;
  let node = config;
  for (const t of tokens) node = (node[t] ??= {}) as Record<string, unknown>;
  node[last] = value;
  return config;
}

for (const fixture of RESTORE_FIXTURES) {
  test(`restore of ${fixture}: every amended case passes in enforce mode`, async () => {
    let tried = 0;
    for (const row of AMENDMENTS.amendments.filter((a) => a.kind === 'relax')) {
      for (const [i, value] of (row.examples?.accepted ?? []).entries()) {
        const pointer = row.examples?.at ?? row.configPointer;
        if (pointer.startsWith('/linux/devices/')) {
          // The restore configs have no devices: give them one to carry the fileMode.
          const config = amended(fixture, '/linux/devices', [
            { path: '/dev/cgtnull', type: 'c', major: 1, minor: 3, fileMode: value },
          ]);
          const { ctx } = context(restoreArgv(restoreBundle(`${row.id}-${i}`, config)), 'enforce');
          assert.is(
            (await hook.begin(ctx)).result,
            undefined,
            `${row.id} ${JSON.stringify(value)}`,
          );
        } else {
          const config = amended(fixture, pointer, value);
          const { ctx } = context(restoreArgv(restoreBundle(`${row.id}-${i}`, config)), 'enforce');
          assert.is(
            (await hook.begin(ctx)).result,
            undefined,
            `${row.id} ${JSON.stringify(value)}`,
          );
        }
        tried++;
      }
    }
    assert.ok(tried >= 15, `only ${tried} cases`);
  });
}

test('restore, control: a duplicate key is refused on the restore path too', async () => {
  const text = readFileSync(
    join(REPO, 'test/fixtures/oci-configs/podman-4.3.1/restore.json'),
    'utf8',
  ).replace('{"ociVersion":', '{"hostname":"a","ociVersion":');
  assert.ok(text.includes('"hostname":"a"'));
  const bundle = restoreBundle('dup', text);
  const { ctx } = context(restoreArgv(bundle), 'enforce');
  const result = (await hook.begin(ctx)).result as { refuse?: string } | undefined;
  assert.match(result?.refuse ?? '', 'has the key "hostname" twice');
});

test.run();
