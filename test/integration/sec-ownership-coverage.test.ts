// Issue 18, item 2: every file root runs, reads as code, or reads for its decisions is
// checked before it is used, and what is checked is what is loaded. In a root-owned copy
// of the built tree (as a package installs it, with oclif's manifest), `chmod o+w` on one
// path at a time must make cgherd refuse, naming that path: the node binary (made
// writable in a private mount namespace: a copy bound over it), a folder above the tree,
// package.json, oclif.manifest.json, a file in node_modules, the operator modules, the
// generated validators' folder, the `debug` package the debug log loads, and the pass
// validator's source (read through a checked descriptor). Control: the untouched tree
// runs each command.

import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  realpathSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { REPO_ROOT } from '../lib/bed/bed.js';
import { installTree } from '../lib/rootless.js';
import { loadCompiledFile } from '../../src/trust/compiled-script.js';

const base = mkdtempSync('/tmp/cgt-own-cover-');
chmodSync(base, 0o755);
const above = join(base, 'opt');
const tree = join(above, 'cgherd');
mkdirSync(above, { mode: 0o755 });
const launcher = installTree(tree);
spawnSync(process.execPath, [join(REPO_ROOT, 'packaging/oclif-manifest.mjs'), tree]);
const bundle = join(base, 'bundle');
mkdirSync(bundle);
writeFileSync(join(bundle, 'config.json'), '{"ociVersion": "1.0.2"}');
const fakeLower = join(base, 'fake-crun');
writeFileSync(fakeLower, '#!/bin/sh\necho "lower $*"\n', { mode: 0o755 });
const generated = join(tree, 'dist/src/validate/generated');
const config = join(base, 'config.json');
writeFileSync(config, '{}\n', { mode: 0o644 });

test.after(() => rmSync(base, { recursive: true, force: true }));

interface Answer {
  code: number | null;
  out: string;
  err: string;
}

const CLI = ['doctor', '--help'];
const RUNTIME = ['create', '--bundle', bundle, 'cgt-own-x'];

function run(argv: string[], env: Record<string, string> = {}, prefix: string[] = []): Answer {
  const all = [...prefix, launcher, ...argv];
  const r = spawnSync(all[0] as string, all.slice(1), {
    encoding: 'utf8',
    env: {
      PATH: '/usr/bin:/bin',
      CGHERD_RUNTIME: fakeLower,
      CGHERD_CONFIG: config,
      ...env,
    },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** `path` writable by others while `body` runs. */
function withOthersWrite<T>(path: string, body: () => T): T {
  const mode = statSync(path).mode & 0o7777;
  chmodSync(path, mode | 0o002);
  try {
    return body();
  } finally {
    chmodSync(path, mode);
  }
}

const NOBODY = 65534;

/** `path` owned by `uid` (its group kept) while `body` runs. */
function withOwner<T>(path: string, uid: number, body: () => T): T {
  const { uid: was, gid } = statSync(path);
  chownSync(path, uid, gid);
  try {
    return body();
  } finally {
    chownSync(path, was, gid);
  }
}

test('control: the untouched tree runs an operator and a runtime command', () => {
  const cli = run(CLI);
  assert.is(cli.code, 0, cli.err);
  assert.match(cli.out, /USAGE/);
  const rt = run(RUNTIME);
  assert.is(rt.out, `lower ${RUNTIME.join(' ')}\n`, rt.err);
});

const PASS_SOURCE = readdirSync(generated).find((n) => /^oci-config-pass\..*\.source\.js$/.test(n));
// The runtime face itself, loaded by dist/src/cgherd-runtime.cjs (src/runtime/boot.ts)
// through checked descriptors: the launcher checks only their folder.
const faceFile = (suffix: string): string =>
  join(
    tree,
    'dist/src',
    readdirSync(join(tree, 'dist/src')).find(
      (n) => n.startsWith('cgherd-runtime.') && n.endsWith(suffix),
    ) ?? `none${suffix}`,
  );

const CASES: [label: string, path: string, argv: string[]][] = [
  ['a folder above the tree', above, CLI],
  ['package.json', join(tree, 'package.json'), CLI],
  ['oclif.manifest.json', join(tree, 'oclif.manifest.json'), CLI],
  ['a file in node_modules', join(tree, 'node_modules/@oclif/core/lib/index.js'), CLI],
  ['an operator module', join(tree, 'dist/src/operator/doctor/probe.js'), CLI],
  ['a command module', join(tree, 'dist/src/commands/doctor.js'), CLI],
  ['the generated validators folder', generated, RUNTIME],
  ['the validators folder', join(tree, 'dist/src/validate'), RUNTIME],
  ["the runtime face's source", faceFile('.source.js'), RUNTIME],
  ["the runtime face's V8 code cache", faceFile('.v8cache'), RUNTIME],
];

for (const [label, path, argv] of CASES) {
  test(`o+w on ${label}: refused, naming it`, () => {
    const r = withOthersWrite(path, () => run(argv));
    assert.is(r.code, 1, `${r.out}${r.err}`);
    assert.not.match(r.out, /^lower /, 'the lower runtime ran');
    assert.ok(r.err.includes(`${path} is writable by`), r.err);
  });
}

for (const [label, path, argv] of CASES) {
  test(`${label} owned by uid ${NOBODY}: refused, naming it`, () => {
    const r = withOwner(path, NOBODY, () => run(argv));
    assert.is(r.code, 1, `${r.out}${r.err}`);
    assert.not.match(r.out, /^lower /, 'the lower runtime ran');
    // The launcher names a folder above the tree as `<folder>/.`.
    const named = [path, `${path}/.`].map((p) => `${p} is owned by uid ${NOBODY}, not by root`);
    assert.ok(
      named.some((n) => r.err.includes(n)),
      r.err,
    );
  });
}

test('o+w on the node binary (a copy bound over it): refused', () => {
  const node = realpathSync('/usr/bin/node');
  const copy = join(base, 'node-copy');
  copyFileSync(node, copy);
  chmodSync(copy, 0o757);
  const ns = [
    'unshare',
    '--mount',
    '--propagation',
    'private',
    'sh',
    '-c',
    `mount --bind ${copy} ${node} && exec "$@"`,
    'x',
  ];
  const r = run(CLI, {}, ns);
  assert.is(r.code, 1, `${r.out}${r.err}`);
  assert.match(r.err, /\/usr\/bin\/node is writable by/);
  const control = (() => {
    chmodSync(copy, 0o755);
    return run(CLI, {}, ns);
  })();
  assert.is(control.code, 0, `control, the same copy not writable: ${control.err}`);
});

test('o+w on the debug package: the debug log is off, with one warning, debug not loaded', () => {
  const log = join(base, 'debug.log');
  const env = { DEBUG: 'cgherd:*', CGHERD_DEBUG_LOG: log };
  const control = run(RUNTIME, env);
  assert.is(control.err, '', 'control: no warning');
  assert.match(spawnSync('cat', [log], { encoding: 'utf8' }).stdout, /cgherd:create argv/);
  const r = withOthersWrite(join(tree, 'node_modules/debug/src/node.js'), () => run(RUNTIME, env));
  assert.is(r.out, `lower ${RUNTIME.join(' ')}\n`, 'the runtime still runs');
  assert.match(r.err, /debug log off: .*node_modules\/debug\/src\/node\.js is writable by others/);
});

test("o+w on the pass validator's source: Node refuses it from the descriptor it reads", () => {
  assert.ok(PASS_SOURCE !== undefined, 'the build wrote the pass validator source');
  const file = join(generated, PASS_SOURCE as string);
  assert.ok(loadCompiledFile(file, join(base, 'no-cache')) !== undefined, 'control: it loads');
  withOthersWrite(file, () =>
    assert.throws(() => loadCompiledFile(file, join(base, 'no-cache')), /writable by others/),
  );
});

test.run();
