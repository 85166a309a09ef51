// One read of the OCI config per call: the validate-config hook checks the text the call
// context read, and the restore hook's bundleConfig parses that same text. A config
// replaced between the two (or between two reads) can never be validated as one file and
// used as another. Control: the file is rewritten after the hook ran; a second read would
// see the new text.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import hook from '../../hooks/validate-config.js';
import { testHookContext } from '../lib/call/hook-context.js';

const dir = mkdtempSync(join(tmpdir(), 'cgt-one-read-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

function context(argv: string[]) {
  return testHookContext(argv, {
    settings: { lowerRuntime: '/usr/bin/crun', validate: 'warn', restoreCgroupRoot: 'auto' },
  });
}

test('restore: the config validated is the config the hooks place the container by', async () => {
  const bundle = join(dir, 'restore');
  mkdirSync(bundle);
  const file = join(bundle, 'config.json');
  writeFileSync(file, JSON.stringify({ linux: { cgroupsPath: '/first' } }));
  const ctx = context(['restore', '--bundle', bundle, 'c1']);
  await hook.begin(ctx);
  writeFileSync(file, JSON.stringify({ linux: { cgroupsPath: '/second' } }));
  assert.equal(ctx.bundleConfig(), { linux: { cgroupsPath: '/first' } });
  assert.is(ctx.ociConfigPath(), file);
});

test('create -f: bundleConfig is the file the lower runtime reads, not <bundle>/config.json', () => {
  const bundle = join(dir, 'create');
  mkdirSync(bundle);
  writeFileSync(join(bundle, 'config.json'), '{"which":"bundle"}');
  const other = join(dir, 'other.json');
  writeFileSync(other, '{"which":"-f"}');
  const ctx = context(['create', '--bundle', bundle, '-f', other, 'c1']);
  assert.equal(ctx.bundleConfig(), { which: '-f' });
});

test('an unreadable config: the same error each time, and no second read', () => {
  const bundle = join(dir, 'missing');
  const ctx = context(['restore', '--bundle', bundle, 'c1']);
  let first: unknown;
  try {
    ctx.ociConfigText();
  } catch (error) {
    first = error;
  }
  assert.ok(first instanceof Error);
  mkdirSync(bundle);
  writeFileSync(join(bundle, 'config.json'), '{}');
  assert.throws(
    () => ctx.bundleConfig(),
    (error: unknown) => error === first,
  );
});

test.run();
