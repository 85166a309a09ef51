// The ppid scan that confirms the tree: container-sized (the target's cgroups and the
// cgroups the strays came from), with the whole host only as a fallback.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { herd } from '../../src/herd/index.js';
import { scanHierarchy } from '../../src/herd/scan.js';
import type { HerdTarget } from '../../src/herd/types.js';
import { FakeHost } from '../fixtures/proc/fake-host.js';

const V1 = ['cpu,cpuacct', 'memory', 'freezer', 'name=systemd'];
const STAT = /^\/proc\/\d+\/stat$/;

/** init 500 in /new; 501..507 in /old (a restore under a new id); crun (400) outside. */
function tree8(host: FakeHost): void {
  host.mkcgroup('/new');
  host.mkcgroup('/old');
  host.spawn(1, 0, '/', { comm: 'init' });
  host.spawn(400, 1, '/', { comm: 'crun' });
  host.spawn(500, 1, '/new', { comm: 'sh' });
  const rest = [
    [501, 500],
    [502, 501],
    [503, 500],
    [504, 503],
    [505, 500],
    [506, 505],
    [507, 500],
  ];
  for (const [pid, ppid] of rest) host.spawn(pid as number, ppid as number, '/old');
}

/** Processes that have nothing to do with the container, outside its cgroups. */
function crowd(host: FakeHost, count: number): void {
  host.mkcgroup('/other/x');
  for (let i = 0; i < count; i++) {
    host.spawn(20_000 + i, i % 2 === 0 ? 1 : 400, i % 3 === 0 ? '/other/x' : '/');
  }
}

/** Just before `parent` is first moved, it forks `child`, which no children file lists. */
function forkBeforeMove(host: FakeHost, parent: number, child: number): void {
  host.hiddenFromChildren.add(child);
  host.onWrite = (_file, pid) => {
    const p = host.procs.get(parent);
    if (pid === parent && !host.procs.has(child) && p) {
      host.spawn(child, parent, p.cgroups[''] ?? p.cgroups.memory ?? '/');
      for (const c of Object.keys(p.cgroups)) {
        (host.procs.get(child) as { cgroups: Record<string, string> }).cgroups[c] = p.cgroups[
          c
        ] as string;
      }
    }
    return 'default';
  };
}

test("a child forked during the walk, unlisted, in a stray's origin: found and moved", () => {
  const host = FakeHost.v2();
  tree8(host);
  forkBeforeMove(host, 505, 3000);
  const report = herd(500, {}, host);
  assert.is(host.cgroupOf(3000, ''), '/new');
  assert.equal(report.foundByPpidScan, [3000]);
  assert.is(report.scan?.scope, 'cgroups');
  assert.is(report.scan?.fallback, undefined);
  assert.ok(report.converged);
  assert.ok(report.members.some((m) => m.pid === 3000));
});

test('control: the same fork without the ppid scan stays behind', () => {
  const host = FakeHost.v2();
  tree8(host);
  forkBeforeMove(host, 505, 3000);
  herd(500, { ppidScan: false }, host);
  assert.is(host.cgroupOf(3000, ''), '/old');
});

test('an unlisted child in the target (forked after its parent moved): found', () => {
  const host = FakeHost.v2();
  tree8(host);
  host.mkcgroup('/new/sub');
  host.spawn(3001, 505, '/new'); // forked after 505 moved: born in place
  host.spawn(3002, 3001, '/new/sub'); // and its child, in a child cgroup of the target
  host.hiddenFromChildren.add(3001);
  const report = herd(500, {}, host);
  assert.equal(report.foundByPpidScan.sort(), [3001, 3002]);
  assert.is(report.scan?.scope, 'cgroups');
  assert.ok(report.members.some((m) => m.pid === 3002));
  assert.not.ok(host.writes.some((w) => w.pid === 3001 || w.pid === 3002));
  assert.is(host.cgroupOf(3002, ''), '/new/sub');
});

test('each stray origin is listed: an unlisted child in a second origin cgroup is found', () => {
  const host = FakeHost.v1(V1);
  tree8(host);
  host.mkcgroup('/old2');
  for (const c of V1)
    (host.procs.get(507) as { cgroups: Record<string, string> }).cgroups[c] = '/old2';
  host.spawn(3003, 507, '/old2');
  host.hiddenFromChildren.add(3003);
  const report = herd(500, {}, host);
  assert.equal(report.foundByPpidScan, [3003]);
  for (const c of V1) assert.is(host.cgroupOf(3003, c), '/new', c);
  assert.is(report.scan?.scope, 'cgroups');
  // The init's, then one per origin cgroup a walk meets (the first stray there; its
  // cgroup.procs names the rest): /old and /old2, then /old2 again in the walk of what
  // the scan found.
  assert.is(host.readsOf(/^\/proc\/\d+\/cgroup$/), 1 + 3);
  assert.ok(host.readsOf(/\/old2\/cgroup.procs$/) >= 1);
});

test("an unlisted process in a child cgroup of a stray's origin: found", () => {
  const host = FakeHost.v2();
  tree8(host);
  host.mkcgroup('/old/sub');
  host.spawn(3005, 501, '/old/sub');
  host.hiddenFromChildren.add(3005);
  const report = herd(500, {}, host);
  assert.equal(report.foundByPpidScan, [3005]);
  assert.is(host.cgroupOf(3005, ''), '/new');
  assert.is(report.scan?.scope, 'cgroups');
});

test('a missed process whose own child sits in a new origin: scanned again, found too', () => {
  const host = FakeHost.v2();
  tree8(host);
  host.mkcgroup('/old3');
  host.hiddenFromChildren.add(503); // found by the first scan (in /old)
  (host.procs.get(504) as { cgroups: Record<string, string> }).cgroups[''] = '/old3';
  host.spawn(3004, 504, '/old3'); // only a scan that lists /old3 finds it
  host.hiddenFromChildren.add(3004);
  const report = herd(500, {}, host);
  // 504 is listed by 503 once 503 is walked; 3004 only by the second scan.
  assert.equal(report.foundByPpidScan, [503, 3004]);
  assert.is(host.cgroupOf(3004, ''), '/new');
  assert.is(report.scan?.scans, 3);
  assert.ok(report.converged);
});

test('neighbours in the origin and in the target are scanned, never moved', () => {
  const host = FakeHost.v1(V1);
  tree8(host);
  host.spawn(900, 1, '/old', { comm: 'exec-d' });
  host.spawn(901, 400, '/old', { comm: 'neighbour' });
  host.spawn(902, 901, '/old', { comm: 'neighbour-child' });
  host.spawn(903, 400, '/new', { comm: 'exec-in-place' });
  host.hiddenFromChildren.add(503);
  const report = herd(500, {}, host);
  assert.equal(report.foundByPpidScan.sort(), [503, 504]);
  for (const pid of [900, 901, 902]) assert.is(host.cgroupOf(pid, 'memory'), '/old');
  assert.not.ok(host.writes.some((w) => w.pid >= 900 && w.pid <= 903));
  assert.not.ok(report.members.some((m) => m.pid >= 900 && m.pid <= 903));
});

test('pid reuse between the scan and the walk: the found pid is not moved', () => {
  const host = FakeHost.v2();
  tree8(host);
  host.hiddenFromChildren.add(503);
  host.procs.delete(504);
  let scanned = false;
  host.onRead = (path) => {
    if (path === '/proc/503/stat') scanned = true;
    else if (path === '/proc/503/cgroup' && scanned && host.procs.get(503)?.comm !== 'impostor') {
      host.procs.set(503, {
        pid: 503,
        ppid: 1,
        comm: 'impostor',
        start: 1,
        cgroups: { '': '/old' },
      });
    }
  };
  const report = herd(500, {}, host);
  assert.not.ok(host.writes.some((w) => w.pid === 503));
  assert.ok(report.skipped.some((s) => s.pid === 503 && s.reason === 'pid-reused'));
  assert.is(host.cgroupOf(503, ''), '/old');
});

for (const [name, make] of [
  ['v1', () => FakeHost.v1(V1)],
  ['v2', () => FakeHost.v2()],
] as const) {
  test(`${name}: no /proc/<pid>/stat read of unrelated host processes`, () => {
    const runs = [0, 50, 5000].map((count) => {
      const host = make();
      tree8(host);
      crowd(host, count);
      host.hiddenFromChildren.add(503);
      forkBeforeMove(host, 505, 3000);
      const report = herd(500, {}, host);
      assert.equal(report.foundByPpidScan.sort(), [3000, 503, 504]);
      assert.is(report.scan?.scope, 'cgroups');
      return { stats: host.readsOf(STAT), reads: host.reads };
    });
    assert.is(runs[1]?.stats, runs[0]?.stats);
    assert.is(runs[2]?.stats, runs[0]?.stats);
    assert.is(runs[2]?.reads, runs[0]?.reads);
  });
}

test('control: the host-wide fallback reads the stat of every process', () => {
  const counts = [0, 500].map((count) => {
    const host = FakeHost.v2();
    tree8(host);
    crowd(host, count);
    const children = host.readText.bind(host);
    host.readText = (path) =>
      path === '/sys/fs/cgroup/old/cgroup.procs' ? undefined : children(path);
    const report = herd(500, {}, host);
    assert.is(report.scan?.scope, 'host');
    return host.readsOf(STAT);
  });
  assert.ok((counts[1] as number) >= (counts[0] as number) + 500, JSON.stringify(counts));
});

test('fallback: an origin whose cgroup.procs cannot be read; the host scan still finds', () => {
  const host = FakeHost.v2();
  tree8(host);
  host.hiddenFromChildren.add(503);
  const read = host.readText.bind(host);
  host.readText = (path) => {
    if (path === '/sys/fs/cgroup/old/cgroup.procs') throw new Error('EACCES: permission denied');
    return read(path);
  };
  const report = herd(500, {}, host);
  assert.is(report.scan?.scope, 'host');
  assert.match(report.scan?.fallback ?? '', /cannot read \/sys\/fs\/cgroup\/old\/cgroup.procs/);
  assert.equal(report.foundByPpidScan.sort(), [503, 504]);
  assert.is(host.cgroupOf(504, ''), '/new');
  assert.ok(report.converged);
});

test('fallback: an origin outside the mount (a cgroup namespace root)', () => {
  const host = new FakeHost([{ controllers: '', mountPoint: '/sys/fs/cgroup', root: '/ctr' }]);
  host.dirs.add('/sys/fs/cgroup/new');
  host.spawn(1, 0, '/');
  host.spawn(500, 1, '/ctr/new');
  host.spawn(501, 500, '/outside');
  host.spawn(502, 501, '/outside');
  host.hiddenFromChildren.add(502);
  const report = herd(500, {}, host);
  assert.is(report.scan?.scope, 'host');
  assert.match(report.scan?.fallback ?? '', /outside every mount/);
  assert.equal(report.foundByPpidScan, [502]);
  assert.is(host.cgroupOf(502, ''), '/ctr/new');
});

test('fallback: a container in the root cgroup (no bound): the host scan still finds', () => {
  const host = FakeHost.v2();
  host.spawn(1, 0, '/');
  host.spawn(500, 1, '/');
  host.spawn(501, 500, '/');
  host.hiddenFromChildren.add(501);
  const report = herd(500, {}, host);
  assert.is(report.scan?.scope, 'host');
  assert.match(report.scan?.fallback ?? '', /no target/);
  assert.equal(report.foundByPpidScan, [501]);
});

test('a removed origin cgroup is empty, not a reason to scan the host', () => {
  const host = FakeHost.v2();
  tree8(host);
  // CRIU's stale cgroup, already gone: its processes were moved out before it went.
  (host.procs.get(507) as { cgroups: Record<string, string> }).cgroups[''] = '/stale';
  const report = herd(500, {}, host);
  assert.is(report.scan?.scope, 'cgroups');
  assert.ok(report.converged);
});

test('dry run: the scan finds an unlisted child in the origin, nothing is written', () => {
  const host = FakeHost.v1(V1);
  tree8(host);
  host.hiddenFromChildren.add(503);
  const report = herd(500, { dryRun: true }, host);
  assert.is(host.writes.length, 0);
  assert.equal(report.foundByPpidScan.sort(), [503, 504]);
  assert.is(report.scan?.scope, 'cgroups');
  assert.ok(report.strays.includes(504));
});

test('without the scan, the report says nothing about one', () => {
  const host = FakeHost.v2();
  tree8(host);
  assert.is(herd(500, { ppidScan: false }, host).scan, undefined);
});

function target(hierarchy: string, path: string, source?: 'runtime' | 'init'): HerdTarget {
  return {
    hierarchy,
    path,
    mount: `/m/${hierarchy}`,
    dir: `/m/${hierarchy}${path}`,
    version: hierarchy === 'unified' ? 2 : 1,
    controllers: hierarchy === 'unified' ? '' : hierarchy,
    source,
  };
}

test("the scan's hierarchy: not a root; the runtime's recorded cgroup, unified, else first", () => {
  assert.is(scanHierarchy([]), undefined);
  assert.is(scanHierarchy([target('memory', '/')]), undefined);
  assert.is(scanHierarchy([target('cpu', '/'), target('memory', '/c')])?.hierarchy, 'memory');
  assert.is(
    scanHierarchy([target('memory', '/c', 'init'), target('unified', '/c', 'init')])?.hierarchy,
    'unified',
  );
  assert.is(
    scanHierarchy([target('memory', '/c', 'init'), target('freezer', '/d', 'runtime')])?.hierarchy,
    'freezer',
  );
});

test('an origin whose cgroup.procs cannot be read: one /proc read per stray, scan falls back to the host', () => {
  const host = FakeHost.v1(V1);
  tree8(host);
  host.onRead = (path) => {
    if (path.endsWith('/old/cgroup.procs')) {
      throw Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
    }
  };
  const report = herd(500, {}, host);
  assert.ok(report.converged);
  for (const pid of [501, 502, 503, 504, 505, 506, 507]) {
    for (const c of V1) assert.is(host.cgroupOf(pid, c), '/new', `${pid} ${c}`);
  }
  // The init's, then each stray's: no listing names them.
  assert.is(host.readsOf(/^\/proc\/\d+\/cgroup$/), 1 + 7);
  assert.is(report.scan?.scope, 'host');
  assert.match(report.scan?.fallback ?? '', /cannot read .*\/old\/cgroup\.procs/);
});

test.run();
