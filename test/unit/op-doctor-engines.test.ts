import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { scanContainerd } from '../../src/engines/containerd.js';
import { scanCrio } from '../../src/engines/crio.js';
import { engineFiles, namedCgherd } from '../../src/engines/engine-scan.js';
import { engineFindings } from '../../src/operator/doctor/findings.js';

const CONTAINERD_V2 = `
version = 2
[plugins]
  [plugins."io.containerd.grpc.v1.cri".containerd]
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.cgherd]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.cgherd.options]
        BinaryName = "/usr/bin/cgherd"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.crun]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.crun.options]
        BinaryName = "/usr/bin/crun"
`;

test('containerd v2 config: every runtime, the one whose BinaryName is cgherd marked', () => {
  const scan = scanContainerd(
    { path: '/etc/containerd/config.toml', text: CONTAINERD_V2 },
    namedCgherd,
  );
  assert.equal(scan.errors, []);
  assert.equal(
    scan.runtimes.map((r) => [r.name, r.binary, r.runtimeType, r.cgherd]),
    [
      ['runc', undefined, 'io.containerd.runc.v2', false],
      ['cgherd', '/usr/bin/cgherd', 'io.containerd.runc.v2', true],
      ['crun', '/usr/bin/crun', 'io.containerd.runc.v2', false],
    ],
  );
  assert.equal(scan.defaults, [
    { engine: 'containerd', name: 'runc', file: '/etc/containerd/config.toml' },
  ]);
});

test('containerd 2.x (config version 3) and Debian 12 stock config (no runtimes)', () => {
  const v3 = `version = 3
[plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.cgherd]
  runtime_type = 'io.containerd.runc.v2'
  [plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.cgherd.options]
    BinaryName = '/opt/cgherd/bin/cgherd'
`;
  const r = scanContainerd({ path: 'c.toml', text: v3 }, namedCgherd).runtimes;
  assert.equal(
    r.map((x) => [x.name, x.cgherd]),
    [['cgherd', true]],
  );
  const debian = `version = 2
[plugins]
  [plugins."io.containerd.grpc.v1.cri"]
    [plugins."io.containerd.grpc.v1.cri".cni]
      bin_dir = "/usr/lib/cni"
  [plugins."io.containerd.internal.v1.opt"]
    path = "/var/lib/containerd/opt"
`;
  assert.equal(scanContainerd({ path: 'd.toml', text: debian }, namedCgherd), {
    runtimes: [],
    defaults: [],
    errors: [],
  });
});

test('a broken config.toml is an error naming the file and the line, not a crash', () => {
  const scan = scanContainerd(
    { path: '/etc/containerd/config.toml', text: 'version = 2\n[plugins\n' },
    namedCgherd,
  );
  assert.is(scan.runtimes.length, 0);
  assert.is(scan.errors.length, 1);
  assert.is(scan.errors[0]?.path, '/etc/containerd/config.toml');
  assert.match(scan.errors[0]?.message ?? '', /line 2/);
});

test('CRI-O: crio.conf then crio.conf.d in order, later files override key by key', () => {
  const scan = scanCrio(
    [
      {
        path: '/etc/crio/crio.conf',
        text: `[crio.runtime]
default_runtime = "crun"
[crio.runtime.runtimes.crun]
runtime_path = "/usr/bin/crun"
[crio.runtime.runtimes.cgherd]
runtime_path = "/usr/bin/crun"
`,
      },
      {
        path: '/etc/crio/crio.conf.d/10-cgherd.conf',
        text: `[crio.runtime]
default_runtime = "cgherd"
[crio.runtime.runtimes.cgherd]
runtime_path = "/usr/bin/cgherd"
runtime_type = "oci"
`,
      },
      { path: '/etc/crio/crio.conf.d/20-broken.conf', text: '[crio.runtime\n' },
    ],
    namedCgherd,
  );
  assert.equal(
    scan.runtimes.map((r) => [r.name, r.binary, r.cgherd, r.file]),
    [
      ['crun', '/usr/bin/crun', false, '/etc/crio/crio.conf'],
      ['cgherd', '/usr/bin/cgherd', true, '/etc/crio/crio.conf.d/10-cgherd.conf'],
    ],
  );
  assert.equal(scan.defaults, [
    { engine: 'cri-o', name: 'cgherd', file: '/etc/crio/crio.conf.d/10-cgherd.conf' },
  ]);
  assert.equal(
    scan.errors.map((e) => e.path),
    ['/etc/crio/crio.conf.d/20-broken.conf'],
  );
});

test('namedCgherd: by basename only', () => {
  assert.ok(namedCgherd('/usr/bin/cgherd'));
  assert.not.ok(namedCgherd('/usr/bin/cgherd-wrapper'));
  assert.not.ok(namedCgherd('/usr/bin/crun'));
});

test('engineFiles: containerd config, then crio.conf and its drop-ins in lexical order, under a root', () => {
  const files: Record<string, string> = {
    '/r/etc/containerd/config.toml': 'version = 2',
    '/r/etc/crio/crio.conf': '[crio]',
    '/r/etc/crio/crio.conf.d/20-b.conf': 'b',
    '/r/etc/crio/crio.conf.d/10-a.conf': 'a',
    '/r/etc/crio/crio.conf.d/README': 'not a conf',
  };
  const got = engineFiles(
    '/r',
    (p) => files[p],
    (dir) =>
      Object.keys(files)
        .filter((p) => p.startsWith(`${dir}/`))
        .map((p) => p.slice(dir.length + 1)),
  );
  assert.equal(
    got.containerd.map((f) => f.path),
    ['/etc/containerd/config.toml'],
  );
  assert.equal(
    got.crio.map((f) => f.path),
    ['/etc/crio/crio.conf', '/etc/crio/crio.conf.d/10-a.conf', '/etc/crio/crio.conf.d/20-b.conf'],
  );
  assert.equal(
    engineFiles(
      '/none',
      () => undefined,
      () => [],
    ),
    { containerd: [], crio: [] },
  );
});

test('engineFindings: ok for a cgherd handler, info for a bypassing one, warning for a broken file', () => {
  const scan = scanContainerd(
    { path: '/etc/containerd/config.toml', text: CONTAINERD_V2 },
    namedCgherd,
  );
  scan.errors.push({ path: '/etc/crio/crio.conf', message: 'line 3: bad' });
  const found = engineFindings(scan);
  const by = (id: string) => found.find((f) => f.id === id);
  assert.is(by('engine:containerd:cgherd')?.severity, 'ok');
  assert.match(by('engine:containerd:cgherd')?.summary ?? '', /runs \/usr\/bin\/cgherd/);
  assert.is(by('engine:containerd:runc')?.severity, 'info');
  assert.match(
    by('engine:containerd:runc')?.summary ?? '',
    /"runc" \(default\) runs its default binary/,
  );
  assert.is(by('engine:unreadable:/etc/crio/crio.conf')?.severity, 'warning');
  assert.equal(engineFindings(undefined), []);
  assert.equal(engineFindings({ runtimes: [], defaults: [], errors: [] }), []);
});

test.run();
