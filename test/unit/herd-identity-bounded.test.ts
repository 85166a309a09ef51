// The herd's work is bounded whatever the container does: a container that makes hundreds
// of cgroups below its own (delegation) forces the host-wide ppid scan, but only once per
// herd; and the scan and verify stop at the deadline (read-only work: nothing is left
// half-moved or frozen) and the report says the tree is unconfirmed. Fake host and clock
// (each /proc read costs 0.02 ms).

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { herd } from '../../src/herd/index.js';
import { FakeHost } from '../fixtures/proc/fake-host.js';
import { spawnRestoredChildren } from '../fixtures/proc/trees.js';

const CROWD = 2000;
const CROWD_STAT = /^\/proc\/2\d{4}\/stat$/;

/** init 500 in /new, 501..507 in /old; `subcgroups` empty cgroups below /new; a crowd of
 *  host processes; 503 and its child 504 are missing from the children files. */
function setUp(subcgroups: number, crowd = CROWD): FakeHost {
  const host = FakeHost.v2();
  host.mkcgroup('/new');
  host.mkcgroup('/old');
  for (let i = 0; i < subcgroups; i++) host.mkcgroup(`/new/d${i}`);
  host.spawn(1, 0, '/', { comm: 'init' });
  host.spawn(500, 1, '/new', { comm: 'sh' });
  spawnRestoredChildren(host, '/old');
  host.hiddenFromChildren.add(503);
  host.hiddenFromChildren.add(504);
  for (let i = 0; i < crowd; i++) host.spawn(20_000 + i, 1, '/');
  return host;
}

test('300 delegated sub-cgroups: one host-wide scan per herd, and the tree still herded', () => {
  const host = setUp(300);
  const report = herd(500, {}, host);
  for (const pid of [501, 502, 503, 504, 505, 506, 507]) {
    assert.is(host.cgroupOf(pid, ''), '/new', `member ${pid}`);
  }
  assert.equal(report.foundByPpidScan.sort(), [503, 504]);
  assert.is(report.scan?.scope, 'host');
  assert.match(report.scan?.fallback ?? '', /more than 256 cgroups/);
  // The scan after the finds were walked would read the whole host again.
  assert.ok(
    host.readsOf(CROWD_STAT) <= CROWD,
    `${host.readsOf(CROWD_STAT)} stat reads of host processes`,
  );
  assert.is(report.scan?.scans, 1);
  assert.match(report.scan?.limited ?? '', /one host-wide scan per herd/);
});

test('control: 200 sub-cgroups keep the scan container-sized (no host process read)', () => {
  const host = setUp(200);
  const report = herd(500, {}, host);
  assert.equal(report.foundByPpidScan.sort(), [503, 504]);
  assert.is(report.scan?.scope, 'cgroups');
  assert.is(host.readsOf(CROWD_STAT), 0);
  assert.ok(report.converged);
});

test('a host-wide scan stops at the deadline: unconfirmed, reported, nothing left moved half', () => {
  // 20,000 host processes: 400 ms of fake reads, against a 100 ms limit.
  const host = setUp(300, 20_000);
  const report = herd(500, { timeLimitMs: 100 }, host);
  assert.ok(report.scan !== undefined);
  assert.ok((report.scan?.statReads ?? 0) < 20_000, `${report.scan?.statReads} stat reads`);
  assert.match(report.scan?.limited ?? '', /out of time/);
  assert.not.ok(report.converged, 'an unconfirmed tree is not converged');
  // The walk before it completed: every listed member is in place.
  for (const pid of [501, 502, 505, 506, 507]) assert.is(host.cgroupOf(pid, ''), '/new');
});

test('verify stops at the deadline: no per-member /proc reads after it', () => {
  const host = setUp(0, 0);
  host.hiddenFromChildren.clear();
  // Every write "succeeds" but a third party keeps the members where they were, so
  // verify would read each one's /proc/<pid>/cgroup. The clock jumps past the deadline
  // with the write of the walk's last member (506), after which the walk ends.
  const cgroupReads = (): number => host.readsOf(/^\/proc\/\d+\/cgroup$/);
  let readsAtDeadline = -1;
  host.onWrite = (_file, pid) => {
    if (pid === 506) readsAtDeadline = cgroupReads();
    return null;
  };
  const now = host.now.bind(host);
  host.now = () => (readsAtDeadline >= 0 ? 1e9 : now());
  const report = herd(500, { ppidScan: false }, host);
  assert.ok(readsAtDeadline >= 0);
  assert.is(cgroupReads(), readsAtDeadline, 'verify read members after the deadline');
  assert.not.ok(report.converged);
});

test.run();
