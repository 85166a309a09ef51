// Issue 18, item 1, the launcher's side: a caller inside a user namespace that maps no root
// (rootless Podman's runtime calls) gets the lower runtime alone for every command,
// intercepted ones included, through a root-owned install tree whose files it sees as
// uid 65534. A namespace that maps root (root's own `unshare -U -r`) is not rootless and
// keeps every check. A fake lower runtime prints its argv, so "went straight to the lower
// runtime" is read from the output. No runtime, no cgroup: the user namespaces are made
// with setpriv and unshare.

import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CGHERD_BIN, REPO_ROOT } from '../lib/bed/bed.js';

// An id with no passwd entry: setpriv needs none, and no file on the host belongs to it.
const USER = '4321';
const dir = mkdtempSync('/tmp/cgt-rootless-launcher-');
chmodSync(dir, 0o755);
const tree = join(dir, 'tree');
mkdirSync(join(tree, 'bin'), { recursive: true });
const launcher = join(tree, 'bin/cgherd');
copyFileSync(CGHERD_BIN, launcher);
chmodSync(launcher, 0o755);
// The file the Node path would start: present, so that only the rootless rule decides.
mkdirSync(join(tree, 'dist/src'), { recursive: true });
copyFileSync(
  join(REPO_ROOT, 'dist/src/cgherd-runtime.cjs'),
  join(tree, 'dist/src/cgherd-runtime.cjs'),
);
const fake = join(dir, 'fake-runc');
writeFileSync(fake, '#!/bin/sh\necho "fake $*"\n');
chmodSync(fake, 0o755);
const etc = join(dir, 'etc');
mkdirSync(etc, { mode: 0o755 });
const config = join(etc, 'config.json');
writeFileSync(config, `{"runtime": "${fake}"}\n`);
chmodSync(config, 0o644);

test.after(() => rmSync(dir, { recursive: true, force: true }));

interface Answer {
  code: number | null;
  out: string;
}

/** The launcher run through `prefix` (the namespace maker) with the test's config. */
function launch(prefix: string[], args: string[], env: Record<string, string> = {}): Answer {
  const [cmd, ...rest] = [...prefix, launcher, ...args] as [string, ...string[]];
  const r = spawnSync(cmd, rest, {
    encoding: 'utf8',
    cwd: '/',
    env: { PATH: '/usr/bin:/bin', CGHERD_CONFIG: config, ...env },
  });
  return { code: r.status, out: (r.stdout + r.stderr).trim() };
}

const AS_USER = ['setpriv', `--reuid=${USER}`, `--regid=${USER}`, '--clear-groups'];
const ROOTLESS = [...AS_USER, 'unshare', '--user', '--map-root-user'];
const COMMANDS = [
  ['create', '--bundle', '/nonexistent', 'c1'],
  ['run', '--bundle', '/nonexistent', 'c1'],
  ['restore', '--bundle', '/nonexistent', '--image-path', '/x', 'c1'],
  ['checkpoint', '--image-path', '/x', 'c1'],
  ['--root', '/tmp/x', 'kill', 'c1', '9'],
  ['delete', '--force', 'c1'],
];

test('control: the user namespace maps no root, and the tree shows as uid 65534 there', () => {
  const r = spawnSync(
    ROOTLESS[0] as string,
    [...ROOTLESS.slice(1), '/bin/sh', '-c', `cat /proc/self/uid_map; stat -c %u ${launcher}`],
    { encoding: 'utf8', cwd: '/' },
  );
  assert.match(r.stdout, new RegExp(`^\\s*0\\s+${USER}\\s+1\\s*\\n65534\\n$`), r.stdout + r.stderr);
});

for (const argv of COMMANDS) {
  test(`rootless ${argv.join(' ')}: the lower runtime alone, argv unchanged`, () => {
    const r = launch(ROOTLESS, argv);
    assert.is(r.out, `fake ${argv.join(' ')}`);
    assert.is(r.code, 0);
  });
}

test('rootless, CGHERD_RUNTIME (the caller chose it): that runtime', () => {
  const r = launch(ROOTLESS, ['create', 'c1'], { CGHERD_RUNTIME: fake, CGHERD_CONFIG: '' });
  assert.is(r.out, 'fake create c1');
});

test('an unmapped namespace (root with no map: it runs as the overflow uid) is rootless', () => {
  const r = launch(['unshare', '--user'], ['create', 'c1']);
  assert.is(r.out, 'fake create c1');
});

test("root's own namespace that maps root keeps the checks (the Node path, not the fake)", () => {
  const r = launch(['unshare', '--user', '--map-root-user'], ['create', '--bundle', dir, 'c1']);
  assert.not.match(r.out, /^fake/);
  assert.is(r.code, 1, r.out);
});

test('rootless: a config that others can write is refused, never read', () => {
  chmodSync(config, 0o666);
  try {
    const r = launch(ROOTLESS, ['create', 'c1']);
    assert.is(r.code, 1, r.out);
    assert.match(
      r.out,
      /^cgherd: no lower runtime for a caller inside a user namespace: .*config\.json is writable by group or others \(mode 666\)/,
    );
  } finally {
    chmodSync(config, 0o644);
  }
});

test('rootless: a config folder that others can write is refused', () => {
  chmodSync(etc, 0o777);
  try {
    const r = launch(ROOTLESS, ['kill', 'c1', '9']);
    assert.is(r.code, 1, r.out);
    assert.match(r.out, /etc is writable by group or others \(mode 777\)/);
  } finally {
    chmodSync(etc, 0o755);
  }
});

test('rootless: a lower runtime that is cgherd itself still fails once', () => {
  const r = launch(ROOTLESS, ['create', 'c1'], { CGHERD_RUNTIME: launcher, CGHERD_CONFIG: '' });
  assert.is(r.code, 1);
  assert.match(r.out, /is cgherd itself/);
});

test.run();
