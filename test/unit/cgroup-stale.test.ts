import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { recordMissingCgroups, removeStaleCgroups } from '../../src/cgroup/stale.js';
import { cgroupMounts, parseMountinfo } from '../../src/proc/mountinfo.js';
import { parseProcCgroup } from '../../src/proc/cgroup-file.js';
import { FakeHost } from '../fixtures/proc/fake-host.js';

function setup(): FakeHost {
  const host = FakeHost.v1(['memory', 'name=systemd']);
  host.spawn(1, 0, '/');
  host.spawn(99_999, 1, '/caller/sub'); // cgherd itself
  host.mkcgroup('/caller/sub');
  return host;
}

const own = (host: FakeHost) => parseProcCgroup(host.readText('/proc/self/cgroup') ?? '');
const mounts = (host: FakeHost) => cgroupMounts(parseMountinfo(host.mountinfoText()));

test('records the dumped chain that does not exist yet, per mounted hierarchy', () => {
  const host = setup();
  host.mkcgroup('/pod');
  const recorded = recordMissingCgroups(host, mounts(host), own(host), [
    { name: 'memory', path: '/pod/old/leaf' },
    { name: 'name=systemd', path: '/pod/old/leaf' },
    { name: 'cpuset', path: '/pod/old/leaf' }, // not mounted here
  ]);
  assert.equal(recorded.map((r) => [r.hierarchy, r.created]).sort(), [
    ['memory', ['/pod/old/leaf', '/pod/old']],
    ['name=systemd', ['/pod/old/leaf', '/pod/old']],
  ]);
});

test('a dumped path that existed before the restore is not recorded (clone case)', () => {
  const host = setup();
  host.mkcgroup('/orig');
  const recorded = recordMissingCgroups(host, mounts(host), own(host), [
    { name: 'memory', path: '/orig' },
  ]);
  assert.equal(recorded, []);
});

test('removes the re-created chain when empty, deepest first', () => {
  const host = setup();
  const recorded = recordMissingCgroups(host, mounts(host), own(host), [
    { name: 'memory', path: '/old/leaf' },
  ]);
  host.mkcgroup('/old/leaf'); // what CRIU does during the restore
  const result = removeStaleCgroups(host, recorded, new Map());
  assert.equal(result.removed, ['/sys/fs/cgroup/memory/old/leaf', '/sys/fs/cgroup/memory/old']);
  assert.not.ok(host.exists('/sys/fs/cgroup/memory/old'));
  assert.ok(host.exists('/sys/fs/cgroup/systemd/old'), 'other hierarchies only when recorded');
});

test('a cgroup that still holds a process is kept (the kernel says EBUSY)', () => {
  const host = setup();
  const recorded = recordMissingCgroups(host, mounts(host), own(host), [
    { name: 'memory', path: '/old' },
  ]);
  host.mkcgroup('/old');
  host.spawn(600, 1, '/old');
  const result = removeStaleCgroups(host, recorded, new Map());
  assert.equal(result.removed, []);
  assert.match(result.kept[0]?.reason ?? '', /EBUSY/);
});

test("the container's own cgroup (same id restore) and the caller's ancestors are kept", () => {
  const host = setup();
  const recorded = recordMissingCgroups(host, mounts(host), own(host), [
    { name: 'memory', path: '/ct' },
    { name: 'name=systemd', path: '/ct' },
  ]);
  host.mkcgroup('/ct');
  const protect = new Map([
    ['memory', ['/ct']],
    ['name=systemd', ['/ct/inner']],
  ]);
  const result = removeStaleCgroups(host, recorded, protect);
  assert.equal(result.removed, []);
  assert.is(result.kept.length, 2);
  assert.ok(host.exists('/sys/fs/cgroup/memory/ct'));
});

test('nothing outside the mount is ever removed, even from a doctored record', () => {
  const host = setup();
  host.dirs.add('/etc');
  const [line] = mounts(host);
  const result = removeStaleCgroups(
    host,
    [
      {
        controllers: 'memory',
        hierarchy: 'memory',
        created: ['/../../../etc'],
        mount: line as never,
      },
    ],
    new Map(),
  );
  assert.equal(result.removed, []);
  assert.ok(host.exists('/etc'));
});

test.run();
