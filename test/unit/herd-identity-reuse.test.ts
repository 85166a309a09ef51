// The herd identifies a process by (pid, start time), never by the pid number alone. Each
// test reuses a pid at one moment where the number used to be trusted, and proves the
// process that took the number (a host process, in /system) is neither moved nor taken
// for a member. Each has a control: the same moment without reuse herds the tree.
//   1. a member's children read after its identity was last checked;
//   2. a child whose ppid names a member whose pid was reused;
//   3. the ppid scan, linking a candidate to a member whose pid was reused;
//   4. the put-back of a process a reused pid let the herd move: never its parent's cgroup.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { herd } from '../../src/herd/index.js';
import { FakeHost } from '../fixtures/proc/fake-host.js';
import { spawnRestoredChildren } from '../fixtures/proc/trees.js';

/** init 500 in /new; 501..507 in /old (a restore under a new id); sshd 300 in /system. */
function tree8(host: FakeHost): void {
  for (const c of ['/new', '/old', '/system', '/app']) host.mkcgroup(c);
  host.spawn(1, 0, '/', { comm: 'init' });
  host.spawn(300, 1, '/system', { comm: 'sshd' });
  host.spawn(500, 1, '/new', { comm: 'sh' });
  spawnRestoredChildren(host, '/old');
}

/** `pid` exits (with its children) and its number goes to a new child of sshd. */
function reuse(host: FakeHost, pid: number, start = 99_000): void {
  for (const p of [...host.procs.values()]) if (p.ppid === pid) host.procs.delete(p.pid);
  host.spawn(pid, 300, '/system', { comm: 'impostor', start });
}

/** Calls `then` once, right before the herd opens a handle on `pid`. */
function onOpen(host: FakeHost, pid: number, then: () => void): void {
  const open = host.openProcess.bind(host);
  let done = false;
  host.openProcess = (p: number) => {
    if (p === pid && !done) {
      done = true;
      then();
    }
    return open(p);
  };
}

/** The new owners of reused pids are where they were; `fresh` (pids never a member's)
 *  were never even written. */
function assertHostUntouched(host: FakeHost, reused: number[], fresh: number[]): void {
  for (const pid of [...reused, ...fresh]) {
    assert.is(host.cgroupOf(pid, ''), '/system', `host process ${pid} was moved`);
  }
  for (const pid of fresh) {
    assert.not.ok(
      host.writes.some((w) => w.pid === pid),
      `host process ${pid} was written to a cgroup`,
    );
  }
}

function assertTreeHerded(host: FakeHost, pids: number[]): void {
  for (const pid of pids) assert.is(host.cgroupOf(pid, ''), '/new', `member ${pid}`);
}

// --- 1. children read after the identity check ---

/** When 503's children are read, 503 has just exited and sshd's new child 503 forked 600. */
function reuseAtChildrenRead(host: FakeHost): void {
  let done = false;
  host.onRead = (path) => {
    if (path !== '/proc/503/task/503/children' || done) return;
    done = true;
    reuse(host, 503);
    host.spawn(600, 503, '/system', { comm: 'impostor-child', start: 99_001 });
  };
}

test("1: a pid reused when its children are read: the new owner's children are not members", () => {
  const host = FakeHost.v2();
  tree8(host);
  reuseAtChildrenRead(host);
  const report = herd(500, {}, host);
  assertHostUntouched(host, [503], [600]);
  assert.not.ok(
    report.members.some((m) => m.pid === 600),
    'a host process listed as a member',
  );
  assertTreeHerded(host, [501, 502, 505, 506, 507]);
});

test('1 control: without the reuse, 503 and its child 504 are herded', () => {
  const host = FakeHost.v2();
  tree8(host);
  const report = herd(500, {}, host);
  assertTreeHerded(host, [501, 502, 503, 504, 505, 506, 507]);
  assert.ok(report.converged);
});

// --- 2. a ppid that names a member by number ---

test('2: a listed child whose ppid names a member whose pid was reused is not a member', () => {
  const host = FakeHost.v2();
  tree8(host);
  // 502 is listed by 501. Before the herd reaches it, 502 and member 505 exit; 505's
  // number goes to a host process (sshd's child), which forks a child that gets 502.
  onOpen(host, 502, () => {
    host.procs.delete(502);
    reuse(host, 505);
    host.spawn(502, 505, '/system', { comm: 'impostor-child', start: 99_001 });
  });
  const report = herd(500, {}, host);
  assertHostUntouched(host, [505], [502]);
  assert.not.ok(report.members.some((m) => m.pid === 502));
  assertTreeHerded(host, [501, 503, 504, 507]);
});

test("2: a listed child whose own parent's pid was reused is not a member", () => {
  const host = FakeHost.v2();
  tree8(host);
  // 501 exits right after listing 502; its number goes to a host process, whose child
  // then gets 502: the ppid still reads 501.
  onOpen(host, 502, () => {
    host.procs.delete(502);
    reuse(host, 501);
    host.spawn(502, 501, '/system', { comm: 'impostor-child', start: 99_001 });
  });
  herd(500, {}, host);
  assertHostUntouched(host, [501], [502]);
  assertTreeHerded(host, [503, 504, 505, 506, 507]);
});

test('2 control: a child reparented to the init (a subreaper) before its visit is herded', () => {
  const host = FakeHost.v2();
  tree8(host);
  // 501 exits between listing 502 and the visit: 502 is reparented to the init.
  onOpen(host, 502, () => {
    host.procs.delete(501);
    (host.procs.get(502) as { ppid: number }).ppid = 500;
  });
  const report = herd(500, {}, host);
  assertTreeHerded(host, [502, 503, 504, 505, 506, 507]);
  assert.ok(report.converged);
});

// --- 3. the ppid scan ---

/**
 * After the walk has moved the tree, 507 exits and its pid goes to a host process in the
 * strays' origin; that process forks 600, a candidate of the confirmation scan whose ppid
 * reads 507.
 */
function reuseBeforeScan(host: FakeHost, reused: boolean): void {
  let done = false;
  host.onRead = (path) => {
    if (path !== '/sys/fs/cgroup/old/cgroup.procs' || host.writes.length === 0 || done) return;
    done = true;
    if (reused) {
      reuse(host, 507);
      (host.procs.get(507) as { cgroups: Record<string, string> }).cgroups[''] = '/old';
      host.spawn(600, 507, '/old', { comm: 'impostor-child', start: 99_001 });
    } else {
      // Control: the real 507 forked 600, which no children file lists.
      host.hiddenFromChildren.add(600);
      host.spawn(600, 507, '/old', { comm: 'late-child', start: 99_001 });
    }
  };
}

test('3: the ppid scan does not take a host process for the child of a reused member pid', () => {
  const host = FakeHost.v2();
  tree8(host);
  reuseBeforeScan(host, true);
  const report = herd(500, {}, host);
  assert.is(host.cgroupOf(600, ''), '/old', 'the scan moved a host process');
  assert.is(host.cgroupOf(507, ''), '/old');
  assert.not.ok(report.foundByPpidScan.includes(600));
  assertTreeHerded(host, [501, 502, 503, 504, 505, 506]);
});

test("3 control: a real member's unlisted child is found by the scan and moved", () => {
  const host = FakeHost.v2();
  tree8(host);
  reuseBeforeScan(host, false);
  const report = herd(500, {}, host);
  assert.ok(report.foundByPpidScan.includes(600), JSON.stringify(report.foundByPpidScan));
  assertTreeHerded(host, [501, 502, 503, 504, 505, 506, 507, 600]);
});

// --- 4. the put-back ---

/** Right when 503 is written, it exits; sshd's new child takes the pid, having moved
 *  itself from /system (where it was born) to /app. */
function reuseOnWrite(host: FakeHost): void {
  host.onWrite = (_file, pid) => {
    if (pid === 503 && host.procs.get(503)?.comm !== 'impostor') {
      reuse(host, 503);
      (host.procs.get(503) as { cgroups: Record<string, string> }).cgroups[''] = '/app';
    }
    return 'default';
  };
}

test("4: a process a reused pid let the herd move is never put in its parent's cgroup", () => {
  const host = FakeHost.v2();
  tree8(host);
  reuseOnWrite(host);
  const report = herd(500, {}, host);
  assert.not.ok(
    host.writes.some((w) => w.pid === 503 && w.file.includes('/system/')),
    `written to its parent's cgroup: ${JSON.stringify(host.writes.filter((w) => w.pid === 503))}`,
  );
  const failure = report.failures.find((f) => f.pid === 503);
  assert.is(failure?.code, 'EPIDREUSED');
  assert.match(failure?.message ?? '', /reused by impostor/);
  assert.not.ok(report.converged);
  assertTreeHerded(host, [501, 502, 505, 506, 507]);
});

test.run();
