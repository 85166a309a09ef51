// Proves: when the runtime recorded a systemd scope but the init lives in a sub-cgroup of
// it (the scope delegates), the herd's target is the init's leaf, never the scope; a
// recorded leaf, or a recorded scope the init itself is in (runc), stays the target.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { herd } from '../../src/herd/index.js';
import { FakeHost } from '../fixtures/proc/fake-host.js';

const SCOPE = '/machine.slice/libpod-new.scope';
const LEAF = `${SCOPE}/container`;
const OLD = '/machine.slice/libpod-old.scope/container';

function host(initIn: string): FakeHost {
  const h = FakeHost.v2();
  for (const c of [LEAF, OLD]) h.mkcgroup(c);
  h.spawn(1, 0, '/init.scope', { comm: 'systemd' });
  h.spawn(500, 1, initIn, { comm: 'sh' });
  h.spawn(501, 500, OLD);
  h.spawn(502, 501, OLD);
  return h;
}

test('a recorded scope that delegates: the herd targets the leaf the init is in', () => {
  const h = host(LEAF);
  const report = herd(500, { containerCgroup: { path: SCOPE } }, h);
  assert.equal(
    report.target.map((t) => [t.path, t.source]),
    [[LEAF, 'init']],
  );
  for (const pid of [501, 502]) assert.is(h.cgroupOf(pid, ''), LEAF);
  assert.not.ok(h.writes.some((w) => w.file === `/sys/fs/cgroup${SCOPE}/cgroup.procs`));
});

test('control: the recorded leaf is the target, from the runtime', () => {
  const h = host(LEAF);
  const report = herd(500, { containerCgroup: { path: LEAF } }, h);
  assert.equal(
    report.target.map((t) => [t.path, t.source]),
    [[LEAF, 'runtime']],
  );
});

test('a scope with the init itself in it (runc) stays the target', () => {
  const h = host(SCOPE);
  const report = herd(500, { containerCgroup: { path: SCOPE } }, h);
  assert.equal(
    report.target.map((t) => [t.path, t.source]),
    [[SCOPE, 'runtime']],
  );
});

test.run();
