import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  cgroupDir,
  checkCgroupPath,
  isAncestorOrSelf,
  verifyCgroupDir,
} from '../../src/cgroup/paths.js';
import { mountedLines, mountFor } from '../../src/cgroup/hierarchy.js';
import { parseProcCgroup } from '../../src/proc/cgroup-file.js';
import { cgroupMounts, parseMountinfo, type CgroupMount } from '../../src/proc/mountinfo.js';
import { herd } from '../../src/herd/index.js';
import { FakeHost } from '../fixtures/proc/fake-host.js';

const FIXTURES = new URL('../../../test/fixtures/proc/', import.meta.url);
const fixture = (name: string): string => readFileSync(new URL(name, FIXTURES), 'utf8');

const V2: CgroupMount = { version: 2, mountPoint: '/sys/fs/cgroup', root: '/', options: new Set() };

test('cgroupDir: plain paths map under the mount point', () => {
  assert.equal(cgroupDir(V2, '/a/b'), { dir: '/sys/fs/cgroup/a/b' });
  assert.equal(cgroupDir(V2, '/'), { dir: '/sys/fs/cgroup' });
});

test('cgroupDir: "..", ".", empty segments, relative paths and NUL are refused', () => {
  for (const bad of ['/../etc', '/a/../../etc', '/a/./b', '/a//b', 'a/b', '/a/', '/a\0b', '/..']) {
    const result = cgroupDir(V2, bad);
    assert.ok('error' in result, `${JSON.stringify(bad)} must be refused`);
  }
  assert.ok(checkCgroupPath('/ok/path-1.scope') === undefined);
});

test('cgroupDir: a bind mount of a subtree maps relative to its root, refuses outside it', () => {
  const bind: CgroupMount = {
    version: 1,
    mountPoint: '/mnt/f',
    root: '/machine/ct1',
    options: new Set(['freezer']),
  };
  assert.equal(cgroupDir(bind, '/machine/ct1/x'), { dir: '/mnt/f/x' });
  assert.equal(cgroupDir(bind, '/machine/ct1'), { dir: '/mnt/f' });
  assert.ok('error' in cgroupDir(bind, '/machine/ct10'));
  assert.ok('error' in cgroupDir(bind, '/other'));
});

test('verifyCgroupDir: a symlink that leads out of the mount is refused', () => {
  const host = FakeHost.v2();
  host.mkcgroup('/ok');
  host.dirs.add('/etc/evil');
  host.symlinks.set('/sys/fs/cgroup/escape', '/etc/evil');
  assert.is(verifyCgroupDir(host, V2, '/sys/fs/cgroup/ok'), undefined);
  assert.match(
    verifyCgroupDir(host, V2, '/sys/fs/cgroup/escape') ?? '',
    /outside the cgroup mount/,
  );
});

test('verifyCgroupDir: a directory that is not on a cgroup filesystem is refused', () => {
  const host = FakeHost.v2();
  const fake: CgroupMount = { version: 2, mountPoint: '/tmp/notcg', root: '/', options: new Set() };
  host.dirs.add('/tmp/notcg');
  host.dirs.add('/tmp/notcg/x');
  assert.match(verifyCgroupDir(host, fake, '/tmp/notcg/x') ?? '', /not on a cgroup filesystem/);
});

test('herd: an init whose cgroup path escapes the mount is refused, nothing written', () => {
  const host = FakeHost.v2();
  host.mkcgroup('/old');
  host.spawn(1, 0, '/');
  host.spawn(500, 1, '/../../etc');
  host.spawn(501, 500, '/old');
  const report = herd(500, {}, host);
  assert.is(host.writes.length, 0);
  assert.equal(report.target, []);
  assert.equal(
    report.failures.map((f) => f.code),
    ['EPATH'],
  );
});

test('herd: a target cgroup directory that is a symlink out of the mount is never written', () => {
  const host = FakeHost.v2();
  host.mkcgroup('/old');
  host.dirs.add('/tmp/evil');
  host.symlinks.set('/sys/fs/cgroup/new', '/tmp/evil');
  host.spawn(1, 0, '/');
  host.spawn(500, 1, '/new');
  host.spawn(501, 500, '/old');
  const report = herd(500, {}, host);
  assert.is(host.writes.length, 0);
  assert.match(report.failures[0]?.message ?? '', /outside the cgroup mount/);
});

test('isAncestorOrSelf works on segment boundaries', () => {
  assert.ok(isAncestorOrSelf('/a', '/a/b'));
  assert.ok(isAncestorOrSelf('/a', '/a'));
  assert.ok(isAncestorOrSelf('/', '/a'));
  assert.not.ok(isAncestorOrSelf('/a', '/ab'));
});

test('hierarchies: lines of a systemd v1 host map to their mounts; unmounted rdma skipped', () => {
  const mounts = cgroupMounts(parseMountinfo(fixture('mountinfo-systemd-v1.txt')));
  const lines = parseProcCgroup(fixture('cgroup-systemd-v1.txt'));
  const { mounted, unreachable } = mountedLines(mounts, lines);
  const names = mounted.map((m) => [m.hierarchy.name, m.hierarchy.mount.mountPoint]);
  assert.equal(names, [
    ['freezer', '/mnt/my cgroups/freezer'],
    ['memory', '/sys/fs/cgroup/memory'],
    ['cpuset', '/sys/fs/cgroup/cpuset'],
    ['net_cls,net_prio', '/sys/fs/cgroup/net_cls,net_prio'],
    ['cpu,cpuacct', '/sys/fs/cgroup/cpu,cpuacct'],
    ['name=systemd', '/sys/fs/cgroup/systemd'],
    ['unified', '/sys/fs/cgroup/unified'],
  ]);
  assert.equal(unreachable, []);
});

test('hierarchies: a path outside every mount root of its hierarchy is unreachable', () => {
  const mounts: CgroupMount[] = [
    { version: 1, mountPoint: '/mnt/f', root: '/machine/ct1', options: new Set(['freezer']) },
  ];
  const [line] = parseProcCgroup('3:freezer:/elsewhere\n');
  assert.is(mountFor(mounts, line as never), null);
  const [unmounted] = parseProcCgroup('4:pids:/x\n');
  assert.is(mountFor(mounts, unmounted as never), undefined);
});

test('hierarchies: this host in the v2 runner sees only the unified line', () => {
  const mounts = cgroupMounts(parseMountinfo(fixture('mountinfo-v2.txt')));
  const { mounted } = mountedLines(mounts, parseProcCgroup(fixture('cgroup-v2-self.txt')));
  assert.equal(
    mounted.map((m) => m.hierarchy.name),
    ['unified'],
  );
});

test.run();
