// The test bed's pure parts: /proc and mountinfo parsing, tree walking, bundle config.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { inModeArgv } from '../lib/bed/bed.js';
import { buildConfig, tree8Role } from '../lib/scenario/bundle.js';
import {
  cgroupsForMode,
  deepestFirst,
  differingHierarchies,
  parseCgroupMounts,
  parseProcCgroup,
  pathHasSegment,
} from '../lib/cgroups/cgroups.js';
import { descendants } from '../lib/scenario/scenario.js';

const PROC_CGROUP = [
  '9:name=systemd:/bug2',
  '6:freezer:/bug1',
  '2:cpu,cpuacct:/bug2',
  '0::/cgherd-testbed-v1',
  '',
].join('\n');

test('parseProcCgroup splits id, controllers and a path that may hold colons', () => {
  const entries = parseProcCgroup(`${PROC_CGROUP}5:pids:/a:b\n`);
  assert.equal(entries[0], { hierarchyId: '9', controllers: 'name=systemd', path: '/bug2' });
  assert.equal(entries[3], { hierarchyId: '0', controllers: '', path: '/cgherd-testbed-v1' });
  assert.equal(entries[4]?.path, '/a:b');
});

test('cgroupsForMode keeps v1 hierarchies on v1 and only the unified one on v2', () => {
  const entries = parseProcCgroup(PROC_CGROUP);
  assert.equal(
    [...cgroupsForMode(entries, 'v1')],
    [
      ['name=systemd', '/bug2'],
      ['freezer', '/bug1'],
      ['cpu,cpuacct', '/bug2'],
    ],
  );
  assert.equal([...cgroupsForMode(entries, 'v2')], [['unified', '/cgherd-testbed-v1']]);
});

test('differingHierarchies names the hierarchies where two processes differ', () => {
  const a = new Map([
    ['freezer', '/bug1'],
    ['cpu', '/bug2'],
  ]);
  const b = new Map([
    ['freezer', '/bug2'],
    ['cpu', '/bug2'],
  ]);
  assert.equal(differingHierarchies(a, b), ['freezer']);
  assert.equal(differingHierarchies(b, b), []);
});

test('parseCgroupMounts finds whole-hierarchy cgroup mounts only', () => {
  const info = [
    '31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755',
    '32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu',
    '40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd',
    '41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw',
    '50 31 0:29 /sub /mnt/cpu\\040x rw - cgroup cgroup rw,cpu',
  ].join('\n');
  assert.equal(parseCgroupMounts(info), [
    { mountPoint: '/sys/fs/cgroup/cpu', fstype: 'cgroup', superOptions: 'rw,cpu' },
    { mountPoint: '/sys/fs/cgroup/systemd', fstype: 'cgroup', superOptions: 'rw,name=systemd' },
    { mountPoint: '/sys/fs/cgroup/unified', fstype: 'cgroup2', superOptions: 'rw' },
  ]);
});

test('deepestFirst orders children before parents; pathHasSegment matches whole segments', () => {
  assert.equal(deepestFirst(['/a', '/a/b/.proxy-crun', '/a/b']), [
    '/a/b/.proxy-crun',
    '/a/b',
    '/a',
  ]);
  assert.ok(pathHasSegment('/x/cgt-bed-1a/.proxy-crun', 'cgt-bed-1a'));
  assert.not.ok(pathHasSegment('/cgt-bed-1ab', 'cgt-bed-1a'));
});

test('descendants walks the whole tree, reparented daemons included, and no one else', () => {
  const ppid = new Map([
    [10, 1],
    [11, 10],
    [12, 11],
    [13, 10], // the setsid daemon, reparented to init
    [14, 13],
    [20, 1], // unrelated
  ]);
  assert.equal(descendants(10, ppid), [11, 13, 12, 14]);
  assert.equal(descendants(20, ppid), []);
});

test('tree8Role tells every process of the tree apart', () => {
  assert.is(tree8Role(['/bin/sh', '-c', '…', 'daemon']), 'daemon');
  assert.is(tree8Role(['sleep', '100004']), 'grandchild-sleep');
  assert.is(tree8Role(['sleep', '5']), undefined);
  assert.is(tree8Role(['/bin/sh', '-c', '…', 'other']), undefined);
});

test('buildConfig: no device rules on v2 (crun 1.8.1 eBPF needs RLIMIT_MEMLOCK)', () => {
  const v2 = buildConfig({ tree: 'tree8', mode: 'v2' }) as { linux: Record<string, unknown> };
  const v1 = buildConfig({ tree: 'tree8', mode: 'v1' }) as { linux: Record<string, unknown> };
  assert.is(v2.linux.resources, undefined);
  assert.ok(v1.linux.resources);
  assert.is(v1.linux.cgroupsPath, undefined, 'no cgroupsPath: crun derives /<id>');
  const custom = buildConfig({
    tree: 'single',
    mode: 'v1',
    cgroupsPath: '/x/y',
    pidNamespace: false,
  });
  const linux = (custom as { linux: { cgroupsPath: string; namespaces: { type: string }[] } })
    .linux;
  assert.is(linux.cgroupsPath, '/x/y');
  assert.not.ok(linux.namespaces.some((n) => n.type === 'pid'));
});

test('inModeArgv passes the leaves, then the command, untouched', () => {
  const argv = inModeArgv('v2', '/usr/bin/crun', ['--root', '/r', 'state', 'id'], ['/l1']);
  assert.equal(argv.slice(-8), [
    'in-mode',
    '1',
    '/l1',
    '/usr/bin/crun',
    '--root',
    '/r',
    'state',
    'id',
  ]);
});

test.run();
