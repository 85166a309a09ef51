import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { herd, HerdError } from '../../src/herd/index.js';
import { FakeHost } from '../fixtures/proc/fake-host.js';

const V1 = ['cpu,cpuacct', 'memory', 'freezer', 'name=systemd'];

/** The facts' tree8 after a restore under a new id: init in /new, the rest in /old. */
function tree8(host: FakeHost, init = 500, newPath = '/new', oldPath = '/old'): number[] {
  host.mkcgroup(newPath);
  host.mkcgroup(oldPath);
  host.spawn(1, 0, '/', { comm: 'init' });
  host.spawn(400, 1, '/', { comm: 'crun' }); // the runtime that restored, outside the tree
  host.spawn(init, 1, newPath, { comm: 'sh' });
  const rest = [
    [init + 1, init],
    [init + 2, init + 1],
    [init + 3, 1], // double-forked setsid daemon, reparented to... the pid ns init
    [init + 4, init + 3],
    [init + 5, init],
    [init + 6, init + 5],
    [init + 7, init],
  ];
  // In a container the daemon's parent after the double fork is the container's init.
  rest[2] = [init + 3, init];
  for (const [pid, ppid] of rest) host.spawn(pid as number, ppid as number, oldPath);
  return [init, ...rest.map((r) => r[0] as number)];
}

test('v1: every stray is moved in every mounted hierarchy, name=systemd included', () => {
  const host = FakeHost.v1(V1);
  const pids = tree8(host);
  const report = herd(500, {}, host);
  assert.is(report.members.length, 8);
  assert.equal(report.strays, []);
  assert.ok(report.converged);
  for (const pid of pids) {
    for (const c of V1) assert.is(host.cgroupOf(pid, c), '/new', `pid ${pid} ${c}`);
  }
  assert.is(report.moved.length, 7 * V1.length);
  assert.ok(host.writes.every((w) => w.file.endsWith('/cgroup.procs')));
  assert.ok(host.writes.some((w) => w.file === '/sys/fs/cgroup/systemd/new/cgroup.procs'));
  assert.is(host.closed, 1);
});

test('v1: a level of strays is written one hierarchy after another (the cheap order)', () => {
  const host = FakeHost.v1(V1);
  tree8(host);
  herd(500, {}, host);
  // Level by level (the init's 4 children, then their 3), each level hierarchy-major.
  const hierarchyOf = (file: string): string => file.split('/')[4] as string;
  const runs: string[] = [];
  for (const w of host.writes) {
    const h = hierarchyOf(w.file);
    if (runs.at(-1) !== h) runs.push(h);
  }
  assert.is(runs.length, 2 * V1.length, runs.join(' '));
});

test('v2: the single unified path', () => {
  const host = FakeHost.v2();
  tree8(host);
  const report = herd(500, {}, host);
  assert.equal(
    report.target.map((t) => [t.hierarchy, t.path, t.dir]),
    [['unified', '/new', '/sys/fs/cgroup/new']],
  );
  assert.is(report.moved.length, 7);
  assert.ok(report.converged);
});

test('control: a tree already in place is left alone (no write at all)', () => {
  const host = FakeHost.v1(V1);
  tree8(host, 500, '/same', '/same');
  const report = herd(500, {}, host);
  assert.is(host.writes.length, 0);
  assert.is(report.moved.length, 0);
  assert.ok(report.converged);
});

test('only what differs is written: a process stray in one hierarchy only', () => {
  const host = FakeHost.v1(V1);
  tree8(host, 500, '/c', '/c');
  (host.procs.get(503) as { cgroups: Record<string, string> }).cgroups['name=systemd'] = '/old';
  host.mkcgroup('/old');
  const report = herd(500, { origins: true }, host);
  assert.equal(report.moved, [{ pid: 503, hierarchy: 'name=systemd', from: '/old', to: '/c' }]);
});

test('without origins, a stray costs no /proc/<pid>/cgroup read and `from` says so', () => {
  const host = FakeHost.v2();
  tree8(host);
  const report = herd(500, { ppidScan: false }, host);
  assert.ok(report.moved.every((m) => m.from === undefined));
  // The init's own, for the target; none per process.
  assert.is(host.readsOf(/\/proc\/\d+\/cgroup$/), 1);
});

test('a child cgroup of the target counts as in place (CRIU freezes the subtree)', () => {
  const host = FakeHost.v2();
  tree8(host);
  host.mkcgroup('/new/sub');
  (host.procs.get(503) as { cgroups: Record<string, string> }).cgroups[''] = '/new/sub';
  (host.procs.get(504) as { cgroups: Record<string, string> }).cgroups[''] = '/new/sub';
  const report = herd(500, {}, host);
  assert.not.ok(host.writes.some((w) => w.pid === 503 || w.pid === 504));
  assert.is(host.cgroupOf(503, ''), '/new/sub');
  assert.is(report.members.find((m) => m.pid === 503)?.cgroups.unified, '/new/sub');
  assert.ok(report.converged);
});

test('unmounted hierarchies do not count (the v1 runner hides cgroup2)', () => {
  const host = FakeHost.v1(V1);
  host.addUnmountedHierarchy(0, '');
  tree8(host);
  const report = herd(500, {}, host);
  assert.equal(report.target.map((t) => t.hierarchy).sort(), [...V1].sort());
  assert.is(host.cgroupOf(501, ''), '/old', 'the unmounted cgroup2 line is untouched');
});

test('a process outside the init tree is never moved, even in the same stray cgroup', () => {
  const host = FakeHost.v1(V1);
  tree8(host);
  host.spawn(900, 1, '/old', { comm: 'exec-d' }); // entered with exec: parent is not in the tree
  host.spawn(901, 400, '/old', { comm: 'neighbour' });
  const report = herd(500, {}, host);
  assert.is(host.cgroupOf(900, 'memory'), '/old');
  assert.is(host.cgroupOf(901, 'memory'), '/old');
  assert.not.ok(host.writes.some((w) => w.pid === 900 || w.pid === 901));
  assert.not.ok(report.members.some((m) => m.pid === 900 || m.pid === 901));
});

test('the caller (cgherd and its ancestors) is never moved, and that is reported', () => {
  const host = FakeHost.v1(V1);
  tree8(host);
  // Absurd but possible: cgherd itself runs somewhere under the container's init.
  host.spawn(99_999, 507, '/old', { comm: 'node' });
  const report = herd(500, {}, host);
  assert.not.ok(host.writes.some((w) => w.pid === 99_999 || w.pid === 507));
  assert.ok(report.failures.some((f) => f.pid === 507 && f.code === 'ECALLER'));
  assert.ok(report.strays.includes(99_999));
  assert.not.ok(report.converged);
});

test('pid reuse: a pid recycled between the children listing and the move is not moved', () => {
  const host = FakeHost.v1(V1);
  tree8(host);
  host.onRead = (path) => {
    // After the init listed 503 as a child, and before the walk reaches 503, 503 exits and
    // an unrelated host process takes its pid (same cgroups, by bad luck).
    if (path === '/proc/501/stat' && host.procs.get(503)?.comm !== 'impostor') {
      host.procs.set(503, {
        pid: 503,
        ppid: 1,
        comm: 'impostor',
        start: 99_999,
        cgroups: { ...(host.procs.get(503)?.cgroups ?? {}) },
      });
    }
  };
  const report = herd(500, { ppidScan: false }, host);
  assert.not.ok(
    host.writes.some((w) => w.pid === 503),
    'the impostor must never be written',
  );
  assert.ok(report.skipped.some((s) => s.pid === 503 && s.reason === 'pid-reused'));
  assert.is(host.procs.get(503)?.cgroups.memory, '/old');
});

test('pid reuse seen in the walk: a listed child whose parent is someone else is skipped', () => {
  const host = FakeHost.v2();
  tree8(host);
  host.onRead = (path) => {
    if (path === '/proc/507/stat') {
      const p = host.procs.get(507);
      if (p) p.ppid = 1; // recycled between the children read and the stat read
    }
  };
  const children = host.readText.bind(host);
  host.readText = (path: string) =>
    path === '/proc/500/task/500/children' ? '501 505 507 503 ' : children(path);
  const report = herd(500, { ppidScan: false }, host);
  assert.not.ok(host.writes.some((w) => w.pid === 507));
  assert.ok(report.skipped.some((s) => s.pid === 507 && s.reason === 'pid-reused'));
});

test('a process that exits mid-move (ESRCH) is ignored, not a failure', () => {
  const host = FakeHost.v1(V1);
  tree8(host);
  host.onWrite = (_file, pid) => {
    if (pid === 506) {
      host.procs.delete(506);
      return { code: 'ESRCH', message: 'No such process' };
    }
    return 'default';
  };
  const report = herd(500, {}, host);
  assert.equal(report.failures, []);
  assert.ok(report.skipped.some((s) => s.pid === 506 && s.reason === 'exited'));
  assert.ok(report.converged);
  assert.not.ok(report.members.some((m) => m.pid === 506));
});

test('a cgroup that refuses the move gives a precise error (pid, hierarchy, path, errno)', () => {
  const host = FakeHost.v1(V1);
  tree8(host);
  host.onWrite = (file, pid) =>
    file.startsWith('/sys/fs/cgroup/freezer/') && pid === 504
      ? { code: 'EBUSY', message: 'Device or resource busy' }
      : 'default';
  const report = herd(500, {}, host);
  assert.equal(
    report.failures.map((f) => [f.pid, f.hierarchy, f.path, f.code]),
    [[504, 'freezer', '/sys/fs/cgroup/freezer/new', 'EBUSY']],
  );
  assert.match(report.failures[0]?.message ?? '', /pid 504 .*\/old.*EBUSY/);
  assert.equal(report.strays, [504]);
  assert.not.ok(report.converged);
  // The refusing write is tried once, not once per pass.
  assert.is(host.writes.filter((w) => w.pid === 504 && w.file.includes('freezer')).length, 1);
});

test('a chain that forks before every move: bounded by the time limit, reported', () => {
  const host = FakeHost.v2();
  tree8(host);
  let next = 2000;
  host.onWrite = (_file, pid) => {
    const parent = host.procs.get(pid);
    // Every process forks a child just before it is moved: the child stays behind and
    // does the same when its turn comes.
    if (parent) host.spawn(next++, pid, parent.cgroups[''] ?? '/old');
    return 'default';
  };
  const report = herd(500, { timeLimitMs: 50 }, host);
  assert.not.ok(report.converged);
  assert.ok(report.strays.length > 0, 'non-convergence is reported with the strays');
  assert.ok(host.now() < 200, `stopped near the limit (fake clock ${host.now()} ms)`);
});

test('a member that keeps leaving the cgroup: capped by passes, reported', () => {
  const host = FakeHost.v2();
  tree8(host);
  host.onWrite = (_file, pid) => {
    if (pid !== 503) return 'default';
    // It is moved, and at once moves itself back out.
    const proc = host.procs.get(503);
    if (proc) proc.cgroups[''] = '/old';
    return null;
  };
  const report = herd(500, { maxPasses: 4 }, host);
  assert.is(report.passes, 4);
  assert.not.ok(report.converged);
  assert.equal(report.strays, [503]);
  assert.is(host.writes.filter((w) => w.pid === 503).length, 4);
});

test('a tree that forks short-lived children just before each move converges in one walk', () => {
  const host = FakeHost.v2();
  tree8(host);
  let next = 3000;
  host.onWrite = (_file, pid) => {
    // Every stray forks a short-lived child right before it is moved: the child is born
    // in the parent's (old) cgroup, and the previous ones have exited.
    for (const p of [...host.procs.values()]) if (p.pid >= 3000) host.procs.delete(p.pid);
    const parent = host.procs.get(pid);
    if (parent && pid < 3000) host.spawn(next++, pid, parent.cgroups[''] ?? '/old');
    return 'default';
  };
  const report = herd(500, {}, host);
  assert.ok(report.converged, JSON.stringify(report.strays));
  assert.is(report.passes, 1);
  assert.equal(report.failures, []);
});

test('children files that miss a child: the ppid scan finds it and it is moved', () => {
  const host = FakeHost.v2();
  tree8(host);
  host.hiddenFromChildren.add(503); // the daemon and its child 504 go unlisted
  const report = herd(500, {}, host);
  assert.equal(report.foundByPpidScan.sort(), [503, 504]);
  assert.is(host.cgroupOf(503, ''), '/new');
  assert.is(host.cgroupOf(504, ''), '/new');
  assert.ok(report.converged);
  assert.is(report.members.length, 8);
});

test('control: without the ppid scan the unlisted child stays behind', () => {
  const host = FakeHost.v2();
  tree8(host);
  host.hiddenFromChildren.add(503);
  herd(500, { ppidScan: false }, host);
  assert.is(host.cgroupOf(503, ''), '/old');
});

test('zombies are members but never written', () => {
  const host = FakeHost.v2();
  tree8(host);
  (host.procs.get(507) as { state: string }).state = 'Z';
  const report = herd(500, {}, host);
  assert.not.ok(host.writes.some((w) => w.pid === 507));
  assert.ok(report.converged);
  assert.ok(report.members.some((m) => m.pid === 507 && m.state === 'Z' && !m.stray));
});

test('threads: children are read per thread of a multi-threaded process', () => {
  const host = FakeHost.v2();
  tree8(host);
  (host.procs.get(501) as { threads: number[] }).threads = [501, 601, 602];
  const report = herd(500, {}, host);
  assert.ok(report.members.some((m) => m.pid === 502));
  assert.is(host.cgroupOf(502, ''), '/new');
});

test('dry run (inspect): reports strays and planned moves, writes nothing', () => {
  const host = FakeHost.v1(V1);
  tree8(host);
  const report = herd(500, { dryRun: true }, host);
  assert.is(host.writes.length, 0);
  assert.is(report.strays.length, 7);
  assert.is(report.moved.length, 7 * V1.length);
  assert.ok(report.dryRun);
  assert.is(report.members.find((m) => m.pid === 501)?.cgroups['name=systemd'], '/old');
});

test('an init that is gone, or whose start time differs, is an error', () => {
  const host = FakeHost.v2();
  tree8(host);
  assert.throws(
    () => herd(4242, {}, host),
    (e: unknown) => e instanceof HerdError && e.code === 'ENOINIT',
  );
  assert.throws(
    () => herd(500, { initStartTime: 1 }, host),
    (e: unknown) => e instanceof HerdError && e.code === 'ENOINIT',
  );
});

test('no cgroup mount at all: a clear error', () => {
  const host = new FakeHost([]);
  host.hierarchies.set(0, '');
  host.spawn(1, 0, '/');
  host.spawn(500, 1, '/x');
  assert.throws(() => herd(500, {}, host), /no mounted cgroup hierarchy/);
});

/** bigTree(1000)'s processes with children (4 each): each costs one more stat read, its
 *  identity checked after its children's stats were read. */
const PARENTS = 250;

function bigTree(host: FakeHost, size: number, strayPath: string): void {
  host.mkcgroup('/new');
  host.mkcgroup('/old');
  host.spawn(1, 0, '/');
  host.spawn(500, 1, '/new');
  for (let i = 1; i < size; i++) host.spawn(500 + i, 500 + Math.floor((i - 1) / 4), strayPath);
}

test('cost grows with the container: about 2 reads per process when all are in place', () => {
  const host = FakeHost.v2();
  bigTree(host, 1000, '/new');
  const report = herd(500, { ppidScan: false }, host);
  assert.ok(report.converged);
  assert.is(report.members.length, 1000);
  assert.is(host.writes.length, 0);
  // stat + children per process, the start time of each parent re-read once its children
  // are read (PARENTS), plus a handful (mountinfo, the target's cgroup.procs).
  assert.ok(host.reads <= 2 * 1000 + PARENTS + 10, `${host.reads} reads`);
});

test('cost: a 1,000-process container all astray: one walk moves all, one check verifies', () => {
  const host = FakeHost.v2();
  bigTree(host, 1000, '/old');
  const report = herd(500, { ppidScan: false }, host);
  assert.ok(report.converged);
  assert.is(report.passes, 1);
  assert.is(report.moved.length, 999);
  // walk: stat + children per process, and each write's identity re-read (one per stray
  // here, one hierarchy), a parent's start time per parent; verify: the target's
  // cgroup.procs.
  assert.ok(host.reads <= 3 * 1000 + PARENTS + 10, `${host.reads} reads`);
});

test('cost with the ppid scan: the strays of one old cgroup cost one /proc cgroup read', () => {
  const host = FakeHost.v1(V1);
  bigTree(host, 1000, '/old');
  const report = herd(500, {}, host);
  assert.ok(report.converged);
  assert.is(report.moved.length, 999 * V1.length);
  assert.equal(report.foundByPpidScan, []);
  // The init's, and the first stray's: /old's cgroup.procs names the other 998.
  assert.is(host.readsOf(/^\/proc\/\d+\/cgroup$/), 2);
  // stat + children per process, an identity re-read per write (999 strays, 4
  // hierarchies), a parent's start time per parent; a few cgroup.procs listings (walk,
  // verify, scan).
  assert.ok(host.reads <= 2 * 1000 + 999 * V1.length + PARENTS + 30, `${host.reads} reads`);
});

test('cost does not grow with unrelated host processes (without the ppid scan)', () => {
  const small = FakeHost.v2();
  bigTree(small, 100, '/old');
  herd(500, { ppidScan: false }, small);
  const crowded = FakeHost.v2();
  bigTree(crowded, 100, '/old');
  for (let i = 0; i < 5000; i++) crowded.spawn(20_000 + i, 1, '/');
  herd(500, { ppidScan: false }, crowded);
  assert.is(crowded.reads, small.reads);
});

test('recorded container cgroup: the whole tree, init included, goes there (runc v2 case)', () => {
  const host = FakeHost.v2();
  tree8(host, 500, '/old', '/old'); // everything, init too, restored into the dumped cgroup
  host.mkcgroup('/new');
  const report = herd(500, { containerCgroup: { dirs: ['/sys/fs/cgroup/new'] } }, host);
  assert.equal(
    report.target.map((t) => [t.path, t.source]),
    [['/new', 'runtime']],
  );
  assert.is(host.cgroupOf(500, ''), '/new');
  assert.is(host.cgroupOf(504, ''), '/new');
  assert.is(report.moved.length, 8);
  assert.ok(report.converged);
});

test("control: without the recorded cgroup the init's cgroup is the target, nothing moves", () => {
  const host = FakeHost.v2();
  tree8(host, 500, '/old', '/old');
  host.mkcgroup('/new');
  const report = herd(500, {}, host);
  assert.is(report.moved.length, 0);
  assert.is(host.cgroupOf(500, ''), '/old');
});

test("recorded crun path on v1: every hierarchy where it exists; elsewhere the init's", () => {
  const host = FakeHost.v1(V1);
  tree8(host, 500, '/old', '/old');
  host.mkcgroup('/new', ['memory', 'freezer', 'name=systemd']); // not in cpu,cpuacct
  const report = herd(500, { containerCgroup: { path: '/new' } }, host);
  const byName = Object.fromEntries(report.target.map((t) => [t.hierarchy, [t.path, t.source]]));
  assert.equal(byName['cpu,cpuacct'], ['/old', 'init']);
  assert.equal(byName.memory, ['/new', 'runtime']);
  assert.is(host.cgroupOf(503, 'name=systemd'), '/new');
  assert.is(host.cgroupOf(503, 'cpu,cpuacct'), '/old');
  assert.ok(report.converged);
});

test('a recorded path that escapes or does not exist is ignored', () => {
  const host = FakeHost.v2();
  tree8(host);
  for (const path of ['/../etc', '/missing', '/']) {
    const report = herd(500, { containerCgroup: { path } }, host);
    assert.equal(
      report.target.map((t) => [t.path, t.source]),
      [['/new', 'init']],
      path,
    );
  }
});

test.run();
