// Proves, on a systemd host (systemd-nspawn --boot of Debian 12; Podman 4.3.1 on its
// default systemd cgroup manager, so crun runs with --systemd-cgroup and each container
// lives in machine.slice/libpod-<id>.scope/container; cgroup v2 with a private cgroup
// namespace per container) with crun 1.8.1 built with systemd and CRIU:
//   - control: bare crun 1.8.1 leaves the restored tree outside the new scope and the
//     next checkpoint fails `Unseizable`;
//   - control: cgherd installed from its .deb (`cgherd install podman --as crun`) but with
//     restoreCgroupRoot "never" moves the tree, yet the next checkpoint fails "... is not a
//     suffix of ..." (the restored cgroup namespace is rooted at the old scope): the fix is
//     the cgroup root CRIU gets, not the herd;
//   - the fix: cgherd as installed, the Java daemon through 3 rounds of checkpoint
//     --export -> restore --import --name -> checkpoint, every process in the new scope's
//     leaf after each restore, no old scope directory left, the new scope active, a second
//     container beside it and a host service keeping their processes where they were;
//   - the same-name restore and checkpoint --leave-running (a clone that survives its
//     original's removal) under cgherd.
// The test boots and powers off the host itself; everything it made goes with it.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DEB, ensurePackages } from '../lib/bed/package-build.js';
import { hostSession } from '../lib/host-session.js';
import { startSystemdHost, stopSystemdHost, type SystemdHost } from '../lib/systemd-host.js';
import {
  assertInLeaf,
  containerId,
  criuLogErrors,
  installCgherd,
  leafOf,
  runJavaCommand,
  runTreeCommand,
  seedImage,
  useCrun,
  waitForJava,
} from '../lib/podman/systemd-seed.js';

const session = hostSession(
  'podman-systemd-seed',
  async () => {
    await ensurePackages();
    return startSystemdHost();
  },
  stopSystemdHost,
  async (host) => {
    await seedImage(host);
    await useCrun(host, 'crun-1.8.1-systemd');
  },
);
const h = (): SystemdHost => session.host();

test('control: bare crun 1.8.1 (systemd) fails the checkpoint after restore --import --name', async () => {
  const s = h();
  await s.ok(runJavaCommand('k0'));
  await waitForJava(s, 'k0');
  await s.ok('podman container checkpoint --export /tmp/k0.tar k0 >/dev/null');
  await s.ok('podman container restore --import /tmp/k0.tar --name k1 >/dev/null');
  const id = await containerId(s, 'k1');
  const tree = (await s.trees('k1')).get('k1') ?? [];
  const away = tree.filter((p) => p.cgroup !== leafOf(id));
  assert.ok(away.length > 0, 'bare crun 1.8.1 placed the whole tree: the control shows nothing');
  const r = await s.sh('podman container checkpoint --export /tmp/k1.tar k1');
  assert.is.not(r.code, 0, 'bare crun 1.8.1: the checkpoint after the restore passed');
  const log = await criuLogErrors(s, r.stderr);
  assert.match(log, /Unseizable/, `expected Unseizable in the CRIU log:\n${log}\n${r.stderr}`);
  await s.ok('podman rm -fa -t 0 >/dev/null');
});

test('control: cgherd with restoreCgroupRoot "never" herds, but the cgroup namespace stays at the old scope', async () => {
  const s = h();
  await installCgherd(s, DEB);
  await s.ok(
    'cp /etc/cgherd/config.json /tmp/config.json && ' +
      'printf \'{"runtime": "/usr/bin/crun", "restoreCgroupRoot": "never"}\\n\' >/etc/cgherd/config.json',
  );
  try {
    await s.ok(runTreeCommand('n0'));
    await s.ok('sleep 1; podman container checkpoint --export /tmp/n0.tar n0 >/dev/null');
    await s.ok('podman container restore --import /tmp/n0.tar --name n1 >/dev/null');
    await assertInLeaf(s, 'n1', 6);
    const r = await s.sh('podman container checkpoint --export /tmp/n1.tar n1');
    assert.is.not(r.code, 0, 'without the restore cgroup root the checkpoint passed');
    const log = await criuLogErrors(s, r.stderr);
    assert.match(log, /is not a suffix of/, `expected "is not a suffix of":\n${log}\n${r.stderr}`);
  } finally {
    await s.ok('cp /tmp/config.json /etc/cgherd/config.json && podman rm -fa -t 0 >/dev/null');
  }
});

/** The processes of a host service, with their cgroups: they must never move. */
async function serviceProcs(s: SystemdHost): Promise<string> {
  return s.ok(
    'for p in $(cat /sys/fs/cgroup/system.slice/cgt-svc.service/cgroup.procs); do echo "$p $(sed -n "s/^0:://p" /proc/$p/cgroup)"; done',
  );
}

test('fix: cgherd as installed, the Java daemon through 3 rounds; neighbours keep their processes', async () => {
  const s = h();
  await s.ok(
    "systemd-run --quiet --unit=cgt-svc --collect /bin/sh -c 'sleep 3600 & exec sleep 3600'",
  );
  await s.ok(runTreeCommand('nb'));
  await s.ok('sleep 1');
  const svc = await serviceProcs(s);
  assert.is(svc.trim().split('\n').length, 2, `host service: ${svc}`);
  const nb = await assertInLeaf(s, 'nb', 6);
  await s.ok(runJavaCommand('j0'));
  await waitForJava(s, 'j0');
  for (let round = 1; round <= 3; round++) {
    const from = `j${round - 1}`;
    const to = `j${round}`;
    const oldId = await containerId(s, from);
    const ck = await s.sh(`podman container checkpoint --export /tmp/${from}.tar ${from}`);
    assert.is(
      ck.code,
      0,
      `round ${round}: checkpoint ${from}: ${ck.stderr}\n${await criuLogErrors(s, ck.stderr)}`,
    );
    await s.ok(`podman container restore --import /tmp/${from}.tar --name ${to} >/dev/null`);
    const tree = await assertInLeaf(s, to, 4);
    assert.ok(
      tree.some((p) => p.comm === 'java'),
      `round ${round}: no JVM in ${to}`,
    );
    const id = await containerId(s, to);
    await s.ok(`systemctl is-active --quiet libpod-${id}.scope`);
    await s.ok(`! test -e /sys/fs/cgroup/machine.slice/libpod-${oldId}.scope`);
    await s.ok(`podman rm ${from} >/dev/null`);
    const nbNow = await assertInLeaf(s, 'nb', 6);
    assert.equal(
      nbNow.map((p) => p.pid),
      nb.map((p) => p.pid),
      `round ${round}: the neighbour container's processes changed`,
    );
    assert.is(await serviceProcs(s), svc, `round ${round}: the host service's processes moved`);
    console.log(
      `  round ${round}: ${tree.length} processes in ${leafOf(id).slice(0, 40)}…/container`,
    );
  }
  const last = await s.sh('podman container checkpoint --export /tmp/j3.tar j3');
  assert.is(last.code, 0, `checkpoint after round 3: ${last.stderr}`);
  await s.ok('podman rm -fa -t 0 >/dev/null; systemctl stop cgt-svc');
});

test('fix: same-name restore (checkpoint, restore), then checkpoint again', async () => {
  const s = h();
  await s.ok(runTreeCommand('s0'));
  await s.ok(
    'sleep 1; podman container checkpoint s0 >/dev/null && podman container restore s0 >/dev/null',
  );
  await assertInLeaf(s, 's0', 6);
  const r = await s.sh('podman container checkpoint --export /tmp/s0.tar s0');
  assert.is(r.code, 0, `checkpoint after the same-name restore: ${r.stderr}`);
  await s.ok('podman rm -fa -t 0 >/dev/null');
});

test('fix: checkpoint --leave-running, a clone under a new name survives the original', async () => {
  const s = h();
  await s.ok(runTreeCommand('o1'));
  await s.ok(
    'sleep 1; podman container checkpoint --leave-running --export /tmp/o1.tar o1 >/dev/null',
  );
  await s.ok('podman container restore --import /tmp/o1.tar --name o2 >/dev/null');
  await assertInLeaf(s, 'o1', 6);
  await assertInLeaf(s, 'o2', 6);
  await s.ok('podman rm -f -t 0 o1 >/dev/null');
  await assertInLeaf(s, 'o2', 6);
  const r = await s.sh('podman container checkpoint --export /tmp/o2.tar o2');
  assert.is(r.code, 0, `checkpoint of the clone: ${r.stderr}`);
  await s.ok('podman rm -fa -t 0 >/dev/null');
});

test.run();
