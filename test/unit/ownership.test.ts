// Root runs the launcher, dist/ and node_modules/, and reads the V8 code caches and the
// config file: each must be root's (or the caller's) and writable by no one else. The
// checkout under /work is root's, so refusals are tested on a temporary copy whose modes
// change; each refusal has its control (the same call on the unchanged copy works).

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { untrustedBecause } from '../../src/trust/owner.js';
import { ownershipFindings, probeOwnership } from '../../src/operator/doctor/ownership.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'cgt-owner-'));
const home = join(dir, 'cgherd');
mkdirSync(home);
cpSync(join(REPO, 'bin'), join(home, 'bin'), { recursive: true });
cpSync(join(REPO, 'package.json'), join(home, 'package.json'));
cpSync(join(REPO, 'dist/src'), join(home, 'dist/src'), { recursive: true });
symlinkSync(join(REPO, 'node_modules'), join(home, 'node_modules'));
const launcher = join(home, 'bin/cgherd');
const fake = join(dir, 'fake-crun');
writeFileSync(fake, '#!/bin/sh\necho "fake $*"\n');
chmodSync(fake, 0o755);
const bundle = join(dir, 'bundle');
mkdirSync(bundle);
writeFileSync(join(bundle, 'config.json'), '{"ociVersion": "1.0.2"}');
const confDir = join(dir, 'etc');
mkdirSync(confDir, { mode: 0o755 });
const conf = join(confDir, 'config.json');
writeFileSync(conf, `{"runtime": "${fake}"}\n`, { mode: 0o644 });
const isRoot = process.geteuid?.() === 0;
const caches = join(home, 'dist/src/validate/generated');
const fullCache = join(
  caches,
  readdirSync(caches).find((n) => /^oci-config-full\..*\.v8cache$/.test(n)) ?? 'none',
);

function run(argv: string[], env: Record<string, string> = {}) {
  const r = spawnSync(launcher, argv, {
    env: { CGHERD_CONFIG: conf, ...env },
    encoding: 'utf8',
    timeout: 20_000,
  });
  return { status: r.status, out: r.stdout, err: r.stderr };
}

function withMode(path: string, mode: number, body: () => void): void {
  chmodSync(path, mode);
  try {
    body();
  } finally {
    chmodSync(path, mode & ~0o022);
  }
}

test('untrustedBecause: owner and group/other write bits', () => {
  assert.is(untrustedBecause('/f', { uid: 0, mode: 0o100644 }, 0), undefined);
  assert.is(untrustedBecause('/f', { uid: 1000, mode: 0o100644 }, 1000), undefined);
  assert.match(untrustedBecause('/f', { uid: 1000, mode: 0o100644 }, 0) ?? '', /owned by uid 1000/);
  assert.match(
    untrustedBecause('/f', { uid: 0, mode: 0o100664 }, 0) ?? '',
    /writable by its group \(mode 664\)/,
  );
  assert.match(untrustedBecause('/d', { uid: 0, mode: 0o41777 }, 0) ?? '', /writable by its group/);
  assert.match(untrustedBecause('/f', { uid: 0, mode: 0o100602 }, 0) ?? '', /writable by others/);
});

test('control: the copy works as it is', () => {
  const state = run(['state', 'x']);
  assert.is(state.status, 0, state.err);
  assert.is(state.out, 'fake state x\n');
  const create = run(['create', '--bundle', bundle, 'x']);
  assert.is(create.status, 0, create.err);
  assert.is(create.err, '');
});

for (const [what, path] of [
  ['bin/', () => join(home, 'bin')],
  ['the launcher', () => launcher],
  ['dist/', () => join(home, 'dist')],
  ['the runtime bundle', () => join(home, 'dist/src/cgherd-runtime.cjs')],
  ['a V8 code cache', () => fullCache],
] as const) {
  test(`${what} writable by others: Node is not started, the error names it`, () => {
    withMode(path(), 0o777, () => {
      const r = run(['create', '--bundle', bundle, 'x']);
      assert.is(r.status, 1);
      assert.is(r.out, '');
      assert.is(r.err.trimEnd().split('\n').length, 1, r.err);
      assert.match(
        r.err,
        `cgherd: refusing to start ${join(home, 'dist/src/cgherd-runtime.cjs')}: ${path()} is writable`,
      );
    });
  });
}

test('config file writable by group: create refuses naming it, state warns and goes on', () => {
  withMode(conf, 0o664, () => {
    const create = run(['create', '--bundle', bundle, 'x']);
    assert.is(create.status, 1);
    assert.match(
      create.err,
      `config file ${conf}: refusing to read it: ${conf} is writable by its group (mode 664)`,
    );
    // The standard search finds the host's crun (or none): only the warning is ours.
    const state = run(['state', 'x']);
    const first = state.err.split('\n')[0] ?? '';
    assert.match(
      first,
      /^cgherd: warning: ignoring the broken config file: .*writable by its group/,
    );
    assert.not.match(state.err.slice(first.length), /cgherd: warning/);
  });
});

test('config directory writable by others: refused like the file', () => {
  withMode(confDir, 0o777, () => {
    const create = run(['create', '--bundle', bundle, 'x']);
    assert.is(create.status, 1);
    assert.match(create.err, `${confDir} is writable by`);
  });
});

if (isRoot) {
  test('config file owned by another user: refused', () => {
    chownSync(conf, 65534, 65534);
    try {
      const create = run(['create', '--bundle', bundle, 'x']);
      assert.is(create.status, 1);
      assert.match(create.err, `${conf} is owned by uid 65534, not by root`);
    } finally {
      chownSync(conf, 0, 0);
    }
  });
}

test('doctor: reports each path another user could change, and passes the clean copy', () => {
  assert.is(probeOwnership(home, conf).problems.length, 0);
  assert.is(ownershipFindings(probeOwnership(home, conf))[0]?.severity, 'ok');
  const deep = join(home, 'dist/src/lower/locate.js');
  withMode(deep, 0o666, () => {
    const facts = probeOwnership(home, conf);
    assert.equal(facts.problems, [`${deep} is writable by its group (mode 666)`]);
    const finding = ownershipFindings(facts)[0];
    assert.is(finding?.severity, 'error');
    assert.match(finding?.summary ?? '', deep);
  });
});

test('doctor: package.json and a folder above the tree, as the launcher and oclif read them', () => {
  const pjson = join(home, 'package.json');
  withMode(pjson, 0o646, () => {
    assert.equal(probeOwnership(home, conf).problems, [
      `${pjson} is writable by others (mode 646)`,
    ]);
  });
  withMode(dir, 0o757, () => {
    assert.equal(probeOwnership(home, conf).problems, [`${dir} is writable by others (mode 757)`]);
  });
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
