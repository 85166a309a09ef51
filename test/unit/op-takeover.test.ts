// `install podman --as NAME`: Podman's resolution of NAME, the config.json merge, the
// dry run, install and --remove against a throwaway root (--root-dir); no Podman needed.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { installPodman, removePodman } from '../../src/operator/install/drop-in.js';
import { effectiveEngine } from '../../src/engines/podman-conf.js';
import {
  PODMAN4_RUNTIME_PATHS,
  resolveRuntimeName,
} from '../../src/engines/podman-runtime-names.js';
import { mergeConfig, takeoverLower } from '../../src/operator/install/takeover.js';
import { scriptExecsCgherd } from '../../src/operator/is-cgherd.js';
import { EXIT, OperatorError } from '../../src/operator/exit.js';

const dirs: string[] = [];
function root(): string {
  const d = mkdtempSync(join(tmpdir(), 'cgt-takeover-unit-'));
  dirs.push(d);
  mkdirSync(join(d, 'etc/containers'), { recursive: true });
  mkdirSync(join(d, 'bin'));
  // A lower runtime and a launcher inside the root, so no host path decides anything.
  writeFileSync(join(d, 'bin/crun'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
  writeFileSync(join(d, 'bin/cgherd'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
  return d;
}
const conf = (r: string, text: string): void =>
  writeFileSync(join(r, 'etc/containers/containers.conf'), text);
const req = (r: string, extra: Partial<Parameters<typeof installPodman>[0]> = {}) => ({
  rootDir: r,
  launcher: join(r, 'bin/cgherd'),
  makeDefault: false,
  dryRun: false,
  useAppend: false,
  as: 'crun',
  ...extra,
});

/** Every file under the root: relative path -> mode, bytes. */
function snapshot(r: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (rel: string): void => {
    for (const n of readdirSync(join(r, rel))) {
      const p = join(rel, n);
      const st = statSync(join(r, p));
      if (st.isDirectory()) {
        out.set(`${p}/`, (st.mode & 0o7777).toString(8));
        walk(p);
      } else {
        out.set(p, `${(st.mode & 0o7777).toString(8)} ${readFileSync(join(r, p), 'base64')}`);
      }
    }
  };
  walk('.');
  return out;
}

test.after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

test('resolution: a file list replaces the built-in one; the first regular file wins', () => {
  const view = effectiveEngine([
    { path: '/etc/containers/containers.conf', text: '[engine.runtimes]\ncrun = ["/a", "/b"]\n' },
  ]);
  const res = resolveRuntimeName('crun', view, (p) => p === '/b' || p === '/usr/bin/crun');
  assert.equal(res.paths, ['/a', '/b']);
  assert.is(res.resolved, '/b');
  assert.is(res.from, '/etc/containers/containers.conf');
  const builtin = resolveRuntimeName('runc', view, (p) => p === '/usr/sbin/runc');
  assert.equal(builtin.paths, PODMAN4_RUNTIME_PATHS.runc);
  assert.is(builtin.resolved, '/usr/sbin/runc');
  assert.is(builtin.from, "Podman's built-in list");
});

test('takeoverLower refuses: unknown name, nothing installed, and cgherd itself (the loop)', () => {
  const view = effectiveEngine([]);
  const code = (f: () => unknown): number | undefined => {
    try {
      f();
    } catch (err) {
      return err instanceof OperatorError ? err.exitCode : -1;
    }
    return undefined;
  };
  const none = resolveRuntimeName('youki2', view, () => true);
  assert.is(
    code(() => takeoverLower(none, () => false)),
    EXIT.CONFIG,
  );
  const missing = resolveRuntimeName('crun', view, () => false);
  assert.is(
    code(() => takeoverLower(missing, () => false)),
    EXIT.CONFIG,
  );
  const loop = resolveRuntimeName('crun', view, (p) => p === '/usr/bin/crun');
  assert.throws(() => takeoverLower(loop, () => true), /already cgherd: cgherd would call itself/);
  assert.is(
    takeoverLower(loop, () => false),
    '/usr/bin/crun',
  );
});

test('wrapper scripts that exec cgherd are cgherd; others are not', () => {
  assert.ok(scriptExecsCgherd('#!/bin/sh\nexport A=1\nexec \'/opt/x/bin/cgherd\' "$@"\n'));
  assert.ok(scriptExecsCgherd('#!/bin/sh\nexec env FOO=1 /usr/bin/cgherd "$@"\n'));
  assert.not.ok(scriptExecsCgherd('#!/bin/sh\nexec /usr/bin/crun "$@"\n'));
  assert.not.ok(scriptExecsCgherd('\x7fELF...cgherd'));
});

test('config merge: runtime set, other keys kept in order, BOM accepted, bad files refused', () => {
  assert.equal(JSON.parse(mergeConfig(undefined, 'c.json', '/x/crun')), { runtime: '/x/crun' });
  const merged = mergeConfig(
    '\uFEFF{"validate": "warn", "runtime": "/old", "herd": true}',
    'c.json',
    '/x/crun',
  );
  assert.is(merged, '{\n  "validate": "warn",\n  "runtime": "/x/crun",\n  "herd": true\n}\n');
  assert.throws(() => mergeConfig('{"runtime": "/a",}', 'c.json', '/x'), /c\.json is not JSON/);
  assert.throws(() => mergeConfig('[]', 'c.json', '/x'), /not a JSON object/);
  assert.throws(() => mergeConfig('{"herd": "yes"}', 'c.json', '/x'), /field \/herd/);
});

test('dry run: shows the drop-in and the config, writes nothing', () => {
  const r = root();
  conf(r, `[engine.runtimes]\ncrun = ["${r}/bin/nothing", "${r}/bin/crun"]\n`);
  const before = snapshot(r);
  const res = installPodman(req(r, { dryRun: true, makeDefault: true }));
  assert.is(res.action, 'would-write');
  assert.match(res.content, `crun = ["${r}/bin/cgherd"]`);
  assert.match(res.content, `cgherd = ["${r}/bin/cgherd"]`);
  assert.match(res.content, /^runtime = "crun"$/m);
  assert.is(res.takeover?.lower, `${r}/bin/crun`);
  assert.is(res.takeover?.configAction, 'would-write');
  assert.equal(JSON.parse(res.takeover?.configContent ?? ''), { runtime: `${r}/bin/crun` });
  assert.equal(snapshot(r), before);
});

test('install --as, then --remove: the root comes back exactly (files, bytes, modes)', () => {
  for (const existing of [undefined, '{"restoreCgroupRoot": "always"}\n']) {
    const r = root();
    conf(r, `[engine.runtimes]\ncrun = ["${r}/bin/crun"]\n`);
    if (existing !== undefined) {
      mkdirSync(join(r, 'etc/cgherd'), { mode: 0o750 });
      writeFileSync(join(r, 'etc/cgherd/config.json'), existing, { mode: 0o600 });
      chmodSync(join(r, 'etc/cgherd'), 0o750);
    }
    const before = snapshot(r);
    const res = installPodman(req(r));
    assert.is(res.takeover?.configAction, existing ? 'replaced' : 'created');
    const written = JSON.parse(readFileSync(join(r, 'etc/cgherd/config.json'), 'utf8')) as object;
    assert.equal(
      written,
      existing
        ? { restoreCgroupRoot: 'always', runtime: `${r}/bin/crun` }
        : { runtime: `${r}/bin/crun` },
    );
    const view = effectiveEngine([
      { path: 'c', text: readFileSync(join(r, 'etc/containers/containers.conf'), 'utf8') },
      { path: 'd', text: readFileSync(res.path, 'utf8') },
    ]);
    assert.equal(view.runtimes.crun, [`${r}/bin/cgherd`]);
    // Again: nothing changes, the one backup stays the original.
    const again = installPodman(req(r));
    assert.is(again.action, 'unchanged');
    assert.is(again.takeover?.configAction, 'unchanged');
    const rm = removePodman(r, false);
    assert.is(rm.config.action, existing ? 'restored' : 'removed');
    assert.equal(snapshot(r), before);
  }
});

test('--as refuses a name that already runs cgherd, and a later drop-in that overrides it', () => {
  const r = root();
  conf(r, `[engine.runtimes]\ncrun = ["${r}/bin/cgherd"]\n`);
  assert.throws(() => installPodman(req(r)), /already cgherd/);
  conf(r, `[engine.runtimes]\ncrun = ["${r}/bin/crun"]\n`);
  mkdirSync(join(r, 'etc/containers/containers.conf.d'));
  writeFileSync(
    join(r, 'etc/containers/containers.conf.d/90-site.conf'),
    '[engine.runtimes]\ncrun = ["/usr/bin/crun"]\n',
  );
  assert.throws(() => installPodman(req(r)), /90-site\.conf sets \[engine\.runtimes\] crun/);
  assert.not.ok(existsSync(join(r, 'etc/cgherd')));
});

test('a broken config.json is refused before anything is written', () => {
  const r = root();
  conf(r, `[engine.runtimes]\ncrun = ["${r}/bin/crun"]\n`);
  mkdirSync(join(r, 'etc/cgherd'));
  writeFileSync(join(r, 'etc/cgherd/config.json'), '{"runtime": "/usr/bin/crun",}');
  const before = snapshot(r);
  assert.throws(() => installPodman(req(r)), /config\.json is not JSON/);
  assert.equal(snapshot(r), before);
});

test.run();
