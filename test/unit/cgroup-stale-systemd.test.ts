// Proves: a directory CRIU re-created for the dumped path is removed only when systemd has
// no unit for it; a loaded unit's cgroup (and everything above it) is kept, with the
// reason. Control: the same directory with no unit is removed.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { recordMissingCgroups, removeStaleCgroups } from '../../src/cgroup/stale.js';
import { cgroupMounts, parseMountinfo } from '../../src/proc/mountinfo.js';
import { parseProcCgroup } from '../../src/proc/cgroup-file.js';
import { FakeHost } from '../fixtures/proc/fake-host.js';

const OLD = '/machine.slice/libpod-old.scope/container';

function recorded(host: FakeHost) {
  const own = parseProcCgroup(host.readText('/proc/self/cgroup') ?? '');
  const mounts = cgroupMounts(parseMountinfo(host.mountinfoText()));
  return recordMissingCgroups(host, mounts, own, [{ name: '', path: OLD }]);
}

function setup(): FakeHost {
  const host = FakeHost.v2();
  host.spawn(1, 0, '/init.scope');
  host.spawn(99_999, 1, '/system.slice/conmon.scope');
  host.mkcgroup('/system.slice/conmon.scope');
  host.mkcgroup('/machine.slice');
  return host;
}

test('control: no unit for the re-created scope directory: removed, deepest first', () => {
  const host = setup();
  const rec = recorded(host);
  host.mkcgroup(OLD); // what CRIU does during the restore
  const result = removeStaleCgroups(host, rec, new Map(), () => undefined);
  assert.equal(result.removed, [
    '/sys/fs/cgroup/machine.slice/libpod-old.scope/container',
    '/sys/fs/cgroup/machine.slice/libpod-old.scope',
  ]);
});

test("a loaded unit's cgroup is kept, and so is everything above it", () => {
  const host = setup();
  const rec = recorded(host);
  host.mkcgroup(OLD);
  const asked: string[] = [];
  const owner = (path: string): string | undefined => {
    asked.push(path);
    return path.includes('libpod-old.scope')
      ? 'systemd has unit libpod-old.scope (loaded)'
      : undefined;
  };
  const result = removeStaleCgroups(host, rec, new Map(), owner);
  assert.equal(result.removed, []);
  assert.equal(result.kept, [
    {
      dir: '/sys/fs/cgroup/machine.slice/libpod-old.scope/container',
      reason: 'systemd has unit libpod-old.scope (loaded)',
    },
  ]);
  assert.ok(host.exists('/sys/fs/cgroup/machine.slice/libpod-old.scope/container'));
  assert.equal(asked, [OLD]);
});

test.run();
