import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseStat } from '../../src/proc/stat.js';
import { parseProcCgroup } from '../../src/proc/cgroup-file.js';
import { cgroupMounts, parseMountinfo, unescapeMountField } from '../../src/proc/mountinfo.js';
import { parsePidList } from '../../src/proc/procfs.js';

// Compiled to dist/test/unit: the fixtures stay in the source tree.
const FIXTURES = new URL('../../../test/fixtures/proc/', import.meta.url);
const fixture = (name: string): string => readFileSync(new URL(name, FIXTURES), 'utf8');

test('stat: comm with spaces and parentheses; ppid, threads, start time (field 22)', () => {
  const stat = parseStat(fixture('stat-weird-comm.txt'));
  assert.equal(stat, {
    pid: 4242,
    comm: 'weird ) (name',
    state: 'S',
    ppid: 4200,
    numThreads: 3,
    startTime: 987654,
  });
});

test('stat: the real /proc/self/stat parses and names this process', () => {
  const stat = parseStat(readFileSync('/proc/self/stat', 'utf8'));
  assert.is(stat?.pid, process.pid);
  assert.is(stat?.ppid, process.ppid);
  assert.ok((stat?.startTime ?? 0) > 0);
});

test('stat: garbage gives undefined', () => {
  assert.is(parseStat(''), undefined);
  assert.is(parseStat('12 (x'), undefined);
});

test('/proc/pid/cgroup: v1, named and cgroup2 lines; a path with a colon', () => {
  const lines = parseProcCgroup(fixture('cgroup-systemd-v1.txt') + '13:pids:/a:b\n');
  assert.equal(lines[4], { hierarchyId: 8, controllers: 'cpu,cpuacct', path: '/machine/ct1' });
  assert.equal(lines[6], { hierarchyId: 1, controllers: 'name=systemd', path: '/machine/ct1' });
  assert.equal(lines[7], { hierarchyId: 0, controllers: '', path: '/machine/ct1' });
  assert.equal(lines[8], { hierarchyId: 13, controllers: 'pids', path: '/a:b' });
});

test('mountinfo: octal escapes in mount points', () => {
  assert.is(unescapeMountField('/mnt/my\\040cgroups'), '/mnt/my cgroups');
  assert.is(unescapeMountField('a\\011b\\134c'), 'a\tb\\c');
});

test('mountinfo: cgroup mounts of a systemd v1 host (joint, named, bind root)', () => {
  const mounts = cgroupMounts(parseMountinfo(fixture('mountinfo-systemd-v1.txt')));
  assert.is(mounts.length, 8);
  const unified = mounts.find((m) => m.version === 2);
  assert.is(unified?.mountPoint, '/sys/fs/cgroup/unified');
  const systemd = mounts.find((m) => m.options.has('name=systemd'));
  assert.is(systemd?.mountPoint, '/sys/fs/cgroup/systemd');
  const joint = mounts.find((m) => m.options.has('cpuacct'));
  assert.ok(joint?.options.has('cpu'));
  const bind = mounts.at(-1);
  assert.equal([bind?.root, bind?.mountPoint], ['/machine/ct1', '/mnt/my cgroups/freezer']);
});

test('mountinfo: this host, in the v1 runner and the v2 runner', () => {
  const v1 = cgroupMounts(parseMountinfo(fixture('mountinfo-v1-hybrid.txt')));
  assert.ok(v1.length >= 5 && v1.every((m) => m.version === 1));
  assert.ok(v1.some((m) => m.options.has('name=systemd')));
  const v2 = cgroupMounts(parseMountinfo(fixture('mountinfo-v2.txt')));
  assert.equal(
    v2.map((m) => [m.version, m.mountPoint]),
    [[2, '/sys/fs/cgroup']],
  );
  const hybrid = cgroupMounts(parseMountinfo(fixture('mountinfo-hybrid.txt')));
  assert.ok(hybrid.some((m) => m.version === 2) && hybrid.some((m) => m.version === 1));
});

test('children file: "1 2 3 " and empty', () => {
  assert.equal(parsePidList('12 13 14 '), [12, 13, 14]);
  assert.equal(parsePidList(''), []);
  assert.equal(parsePidList('\n'), []);
  // cgroup.procs: one per line; anything that is not a positive decimal pid is skipped.
  assert.equal(parsePidList('7\n8\n'), [7, 8]);
  assert.equal(parsePidList('12 x3 0 4a\t99\n1e3 0x10 5'), [12, 99, 5]);
});

test('stat: a line cut short before the start time gives undefined', () => {
  const full = fixture('stat-weird-comm.txt');
  const close = full.lastIndexOf(')');
  const fields = full.slice(close + 2).split(' ');
  assert.is(parseStat(`${full.slice(0, close + 2)}${fields.slice(0, 19).join(' ')}`), undefined);
  assert.ok(parseStat(`${full.slice(0, close + 2)}${fields.slice(0, 20).join(' ')}`));
});

test.run();
