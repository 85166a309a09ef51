// Who the herd writes: a pid reused in the middle of a move (the process held through a
// handle, re-read after each write; the new owner reported, never moved again), and a process whose main thread has exited (Z with
// live threads) that is still a process to move.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { herd } from '../../src/herd/index.js';
import { FakeHost } from '../fixtures/proc/fake-host.js';
import { spawnRestoredChildren } from '../fixtures/proc/trees.js';

const V1 = ['cpu,cpuacct', 'memory', 'freezer', 'name=systemd'];

/** init 500 in /new; 501..507 in /old (a restore under a new id); a host daemon's /system. */
function tree8(host: FakeHost): void {
  host.mkcgroup('/new');
  host.mkcgroup('/old');
  host.mkcgroup('/system');
  host.spawn(1, 0, '/', { comm: 'init' });
  host.spawn(300, 1, '/system', { comm: 'sshd' });
  host.spawn(500, 1, '/new', { comm: 'sh' });
  spawnRestoredChildren(host, '/old');
}

/** 503 exits and its pid goes to a child of sshd, right when 503 is written to `at`. */
function reuseOnWrite(host: FakeHost, at: string): void {
  host.onWrite = (file, pid) => {
    if (pid === 503 && file.startsWith(at) && host.procs.get(503)?.comm !== 'impostor') {
      host.procs.delete(504); // 503's child went with it (not needed, but realistic)
      host.spawn(503, 300, '/system', { comm: 'impostor', start: 99_000 });
    }
    return 'default';
  };
}

test('pid reused between the identity check and a write: reported, never written again', () => {
  const host = FakeHost.v1(V1);
  tree8(host);
  // Reused when the walk writes 503 to its third hierarchy: the first two writes moved
  // 503 itself, the third the impostor.
  reuseOnWrite(host, '/sys/fs/cgroup/memory/');
  const report = herd(500, { ppidScan: false }, host);
  const impostor = host.procs.get(503);
  assert.is(impostor?.comm, 'impostor');
  // Where it was is unknown (it took the pid after the last check): it is left where the
  // write put it, never moved a second time on a guess. The other hierarchies are untouched.
  assert.is(impostor?.cgroups.memory, '/new');
  for (const c of ['cpu,cpuacct', 'freezer', 'name=systemd']) {
    assert.is(impostor?.cgroups[c], '/system', `the impostor was moved in ${c}`);
  }
  const writesOf503 = host.writes.filter((w) => w.pid === 503).map((w) => w.file);
  // The walk writes the hierarchies in /proc/<pid>/cgroup order: systemd, freezer, memory.
  assert.equal(writesOf503, [
    '/sys/fs/cgroup/systemd/new/cgroup.procs',
    '/sys/fs/cgroup/freezer/new/cgroup.procs',
    '/sys/fs/cgroup/memory/new/cgroup.procs',
  ]);
  const failure = report.failures.find((f) => f.pid === 503);
  assert.is(failure?.code, 'EPIDREUSED');
  assert.match(failure?.message ?? '', /reused by impostor .*unknown: left in \/new/);
  assert.not.ok(report.converged, 'a reuse incident is never a clean result');
  // The rest of the tree is herded as usual.
  for (const pid of [501, 502, 505, 506, 507]) {
    for (const c of V1) assert.is(host.cgroupOf(pid, c), '/new', `pid ${pid} ${c}`);
  }
  assert.not.ok(report.moved.some((m) => m.pid === 503 && m.hierarchy === 'memory'));
});

test('pid reused on v2: reported, not moved again', () => {
  const host = FakeHost.v2();
  tree8(host);
  reuseOnWrite(host, '/sys/fs/cgroup/new');
  const report = herd(500, {}, host);
  assert.is(host.writes.filter((w) => w.pid === 503).length, 1);
  assert.ok(report.failures.some((f) => f.pid === 503 && f.code === 'EPIDREUSED'));
  assert.not.ok(report.converged);
});

test("a reused pid whose parent is in the container's cgroup is left there, and reported", () => {
  const host = FakeHost.v2();
  tree8(host);
  host.onWrite = (file, pid) => {
    if (pid === 503 && host.procs.get(503)?.comm !== 'newchild') {
      // The pid went to a new child of the init: born in /new, a member in its own right.
      host.procs.delete(504);
      host.spawn(503, 500, '/new', { comm: 'newchild', start: 99_000 });
    }
    return 'default';
  };
  const report = herd(500, {}, host);
  assert.is(host.procs.get(503)?.cgroups[''], '/new');
  assert.ok(report.failures.some((f) => f.pid === 503 && /left in \/new/.test(f.message)));
});

test('control: the same tree without reuse converges with no failure', () => {
  const host = FakeHost.v1(V1);
  tree8(host);
  const report = herd(500, { ppidScan: false }, host);
  assert.ok(report.converged);
  assert.equal(report.failures, []);
  assert.is(host.procs.get(300)?.cgroups.memory, '/system');
});

test('a process whose main thread exited (Z, live threads) is moved, its children listed', () => {
  const host = FakeHost.v1(V1);
  tree8(host);
  // 505 called pthread_exit in main: the leader is Z, thread 605 runs and forked 506.
  const p = host.procs.get(505);
  if (!p) throw new Error('no 505');
  p.state = 'Z';
  p.threads = [505, 605];
  host.hiddenFromChildren.add(506);
  const children = host.readText.bind(host);
  host.readText = (path: string) =>
    path === '/proc/505/task/605/children' ? '506 ' : children(path);
  const report = herd(500, { ppidScan: false }, host);
  for (const c of V1) {
    assert.is(host.cgroupOf(505, c), '/new', `505 ${c}`);
    assert.is(host.cgroupOf(506, c), '/new', `506 ${c}`);
  }
  assert.ok(report.members.some((m) => m.pid === 505 && m.state === 'Z' && !m.stray));
  assert.ok(report.converged);
});

test("v2: a Z leader's own cgroup file keeps the old cgroup; a live thread's says where it is", () => {
  const host = FakeHost.v2();
  tree8(host);
  // As measured on v2: after the move, /proc/505/cgroup still names the cgroup the main
  // thread died in, while /proc/505/task/605/cgroup follows the live thread; cgroup.procs
  // lists a process by its leader, so the new cgroup's listing never shows 505.
  const p = host.procs.get(505);
  if (!p) throw new Error('no 505');
  p.state = 'Z';
  p.threads = [505, 605];
  const stale = host.readText('/proc/505/cgroup');
  const read = host.readText.bind(host);
  host.readText = (path: string) => {
    if (path === '/proc/505/cgroup') return stale;
    if (path === '/proc/505/task/605/cgroup') return read('/proc/505/cgroup');
    const text = read(path);
    if (path.endsWith('/new/cgroup.procs') && text !== undefined) {
      return text.replace(/^505\n/m, '');
    }
    return text;
  };
  const report = herd(500, {}, host);
  assert.is(host.cgroupOf(505, ''), '/new');
  assert.ok(report.converged, JSON.stringify(report.failures));
  assert.ok(report.members.some((m) => m.pid === 505 && !m.stray));
});

test('control: a single-threaded zombie is still never written', () => {
  const host = FakeHost.v2();
  tree8(host);
  const p = host.procs.get(507);
  if (!p) throw new Error('no 507');
  p.state = 'Z';
  const report = herd(500, {}, host);
  assert.not.ok(host.writes.some((w) => w.pid === 507));
  assert.ok(report.converged);
});

test.run();
