// Proves: under systemd, a reused pid's new owner that the herd moved by mistake is never
// written a second time, into init.scope, a slice (systemd's units: PID 1's scope, and
// inner nodes that hold no processes) or its parent's service: where it came from is
// unknown, so it is left and reported. The unit rules themselves are checked at the end.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { herd } from '../../src/herd/index.js';
import { unitOfPath, unitsOnPath } from '../../src/cgroup/systemd-units.js';
import { FakeHost } from '../fixtures/proc/fake-host.js';

const LEAF = '/machine.slice/libpod-new.scope/container';
const OLD = '/machine.slice/libpod-old.scope/container';

/** init 500 in the new scope's leaf, 501..503 left in the old one; PID 1 in init.scope. */
function host(parentOfImpostor: { pid: number; cgroup: string }): FakeHost {
  const h = FakeHost.v2();
  for (const c of ['/init.scope', '/system.slice', '/system.slice/foo.service', LEAF, OLD]) {
    h.mkcgroup(c);
  }
  h.spawn(1, 0, '/init.scope', { comm: 'systemd' });
  h.spawn(300, 1, '/system.slice/foo.service', { comm: 'foo' });
  h.spawn(500, 1, LEAF, { comm: 'sh' });
  h.spawn(501, 500, OLD);
  h.spawn(502, 501, OLD);
  h.spawn(503, 500, OLD);
  h.onWrite = (file, pid) => {
    if (pid === 503 && file.includes('libpod-new') && h.procs.get(503)?.comm !== 'impostor') {
      h.spawn(503, parentOfImpostor.pid, parentOfImpostor.cgroup, {
        comm: 'impostor',
        start: 99_000,
      });
    }
    return 'default';
  };
  return h;
}

test('a reused pid whose parent is PID 1 is not written into init.scope', () => {
  const h = host({ pid: 1, cgroup: '/system.slice/foo.service' });
  const report = herd(500, {}, h);
  assert.not.ok(
    h.writes.some((w) => w.file.includes('init.scope')),
    `wrote into init.scope: ${JSON.stringify(h.writes)}`,
  );
  const failure = report.failures.find((f) => f.pid === 503);
  assert.match(failure?.message ?? '', /unknown: left in .*libpod-new/);
  for (const pid of [501, 502]) assert.is(h.cgroupOf(pid, ''), LEAF);
});

test('a parent in an ordinary service: not guessed as the origin either', () => {
  const h = host({ pid: 300, cgroup: '/system.slice/foo.service' });
  const report = herd(500, {}, h);
  assert.not.ok(h.writes.some((w) => w.file.includes('foo.service')));
  assert.match(report.failures.find((f) => f.pid === 503)?.message ?? '', /unknown: left in/);
});

test('units on a path', () => {
  assert.equal(unitsOnPath(LEAF), ['machine.slice', 'libpod-new.scope']);
  assert.is(unitOfPath(LEAF), undefined);
  assert.is(unitOfPath('/machine.slice/libpod-x.scope'), 'libpod-x.scope');
});

test.run();
