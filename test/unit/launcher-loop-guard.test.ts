// The lower runtime resolving to cgherd itself: a symlink to the launcher, the launcher's
// own path, a wrapper script that execs cgherd. Each fails at once with one error line,
// for a pass-through command (sh), an intercepted one (Node) and `--version`; the wrapper
// runs exactly once (it counts its starts), so nothing recursed. Control: the same wrapper
// around a plain fake runtime works.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const LAUNCHER = join(REPO, 'bin/cgherd');
const dir = mkdtempSync(join(tmpdir(), 'cgt-loop-'));
const bundle = join(dir, 'bundle');
mkdirSync(bundle);
writeFileSync(join(bundle, 'config.json'), '{}');
const starts = join(dir, 'starts');

function script(name: string, body: string): string {
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

const link = join(dir, 'crun-link');
symlinkSync(LAUNCHER, link);
const wrapper = script('crun-wrapper', `echo start >> ${starts}\nexec ${LAUNCHER} "$@"`);
const fake = script('fake-crun', 'echo "fake $*"');
const goodWrapper = script('good-wrapper', `echo start >> ${starts}\nexec ${fake} "$@"`);

const COMMANDS = [['state', 'x'], ['create', '--bundle', bundle, 'x'], ['--version']];

function startCount(): number {
  try {
    return readFileSync(starts, 'utf8').split('\n').filter(Boolean).length;
  } catch {
    return 0;
  }
}

for (const [name, lower, pattern] of [
  ['the launcher itself', LAUNCHER, /the lower runtime .* is cgherd itself/],
  ['a symlink to the launcher', link, /the lower runtime .*crun-link is cgherd itself/],
  ['a wrapper that execs cgherd', wrapper, /started by its own lower runtime/],
] as const) {
  for (const argv of COMMANDS) {
    test(`loop through ${name}: ${argv[0]} fails once, with one line`, () => {
      rmSync(starts, { force: true });
      const r = spawnSync(LAUNCHER, argv, {
        env: { CGHERD_RUNTIME: lower, CGHERD_VALIDATE: 'off' },
        encoding: 'utf8',
        timeout: 10_000,
      });
      assert.is(r.error, undefined, 'timed out: it recursed');
      assert.is(r.status, 1);
      const lines = r.stderr.trimEnd().split('\n');
      assert.is(lines.length, 1, r.stderr);
      assert.match(lines[0] ?? '', pattern);
      assert.ok(startCount() <= 1, `the wrapper ran ${startCount()} times`);
      if (lower === wrapper) assert.is(startCount(), 1);
    });
  }
}

test('control: a wrapper around a real runtime is no loop', () => {
  for (const argv of COMMANDS) {
    rmSync(starts, { force: true });
    const r = spawnSync(LAUNCHER, argv, {
      env: { CGHERD_RUNTIME: goodWrapper, CGHERD_VALIDATE: 'off' },
      encoding: 'utf8',
      timeout: 10_000,
    });
    assert.is(r.status, 0, r.stderr);
    assert.is(r.stderr, '');
    assert.match(r.stdout, `fake ${argv.join(' ')}`);
    assert.is(startCount(), 1);
  }
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
