// Proves, on a real Debian 12 VM (test/env/vm-host.sh: qemu, Debian's own kernel, systemd
// as PID 1, cgroup v2 unified with every controller enabled; Podman 4.3.1 on its default
// systemd cgroup manager, CRIU 4.1.1, crun built with systemd and CRIU), where the "no
// internal processes" rule of cgroup v2 holds because controllers are on:
//   - the host is what it claims: PID 1 systemd, cpu, memory, io, pids and cpuset in the
//     root's subtree_control, Podman on the systemd manager;
//   - control: bare crun 1.8.1 leaves the restored tree outside the new scope's leaf and
//     the next checkpoint fails in CRIU (`Unseizable`, or the cgroup-namespace suffix
//     error);
//   - the fix: cgherd installed from its .deb (`cgherd install podman --as crun`) over crun
//     1.8.1, the busybox tree (init, a child, a double-forked setsid daemon with its child)
//     through a round of checkpoint --export -> restore --import --name -> checkpoint;
//     after each restore every process is in libpod-<new>.scope/container, the scope
//     itself holds no process while it enables controllers for its children, the scope is
//     active and the old one's directory is gone;
//   - over crun 1.21 as released (it restores here, unlike in the nspawn host), a round
//     through cgherd passes in the leaf and every herd in cgherd's debug log moved 0.
// The test boots and powers off the VM itself. Boot is under TCG here (no usable KVM), and
// a round costs 35-60 s, so the rounds are the fewest that prove it: the control fails
// the first checkpoint after a restore, so one round through cgherd that passes it is the
// fix's proof; one round shows crun 1.21 needs no herd. The rounds after that, and the
// Java daemon's 3 rounds on a systemd host, are podman-systemd-seed's (nspawn).

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DEB, ensurePackages } from '../lib/bed/package-build.js';
import { hostSession } from '../lib/host-session.js';
import { startVmHost, stopVmHost, type VmHost } from '../lib/vm-host.js';
import {
  assertInLeaf,
  containerId,
  criuLogErrors,
  debugCgherd,
  installCgherd,
  leafOf,
  runTreeCommand,
  seedImage,
  useCrun,
} from '../lib/podman/systemd-seed.js';
import { herdLogLines } from '../lib/scenario/sec-lib.js';

const session = hostSession(
  'podman-vm-seed',
  async () => {
    await ensurePackages();
    return startVmHost();
  },
  stopVmHost,
  async (host) => {
    await seedImage(host);
    await useCrun(host, 'crun-1.8.1-systemd');
  },
);
const h = (): VmHost => session.host();

const CONTROLLERS = ['cpuset', 'cpu', 'io', 'memory', 'pids'];
const FIX_ROUNDS = 1;
const CRUN121_ROUNDS = 1;

/** The scope of a container holds no process itself and enables controllers below it. */
async function assertNoInternalProcs(s: VmHost, id: string): Promise<void> {
  const scope = `/sys/fs/cgroup/machine.slice/libpod-${id}.scope`;
  const procs = await s.ok(`cat ${scope}/cgroup.procs`);
  assert.is(procs.trim(), '', `processes in the scope itself: ${procs}`);
  const sub = (await s.ok(`cat ${scope}/cgroup.subtree_control`)).trim().split(/\s+/);
  for (const c of ['cpu', 'memory', 'pids']) {
    assert.ok(sub.includes(c), `${scope} does not enable ${c} for its children: ${sub.join(' ')}`);
  }
}

test('the VM: systemd PID 1, cgroup v2 with every controller, Podman on the systemd manager', async () => {
  const s = h();
  const out = await s.ok(
    'cat /proc/1/comm; stat -fc %T /sys/fs/cgroup; cat /sys/fs/cgroup/cgroup.subtree_control; ' +
      'podman info --format "{{.Host.CgroupManager}} {{.Host.CgroupsVersion}}"; uname -r',
  );
  const [comm, fs, sub, podman, kernel] = out.trim().split('\n');
  assert.is(comm, 'systemd');
  assert.is(fs, 'cgroup2fs');
  for (const c of CONTROLLERS) assert.ok(sub?.split(' ').includes(c), `${c} not in ${sub}`);
  assert.is(podman, 'systemd v2');
  console.log(`  kernel ${kernel}; root subtree_control: ${sub}; ${s.bootTime()}`);
});

test('control: bare crun 1.8.1 (systemd) fails the checkpoint after restore --import --name', async () => {
  const s = h();
  await s.ok(runTreeCommand('k0'));
  await s.ok('sleep 1; podman container checkpoint --export /tmp/k0.tar k0 >/dev/null');
  await s.ok('podman container restore --import /tmp/k0.tar --name k1 >/dev/null');
  const id = await containerId(s, 'k1');
  const tree = (await s.trees('k1')).get('k1') ?? [];
  const away = tree.filter((p) => p.cgroup !== leafOf(id));
  assert.ok(away.length > 0, 'bare crun 1.8.1 placed the whole tree: the control shows nothing');
  const r = await s.sh('podman container checkpoint --export /tmp/k1.tar k1');
  assert.is.not(r.code, 0, 'bare crun 1.8.1: the checkpoint after the restore passed');
  const log = await criuLogErrors(s, r.stderr);
  assert.match(
    log,
    /Unseizable|is not a suffix of/,
    `expected Unseizable or the suffix error:\n${log}\n${r.stderr}`,
  );
  console.log(
    `  bare crun 1.8.1: ${away.length}/${tree.length} outside the leaf; CRIU: ${/Unseizable[^\n]*|[^\n]*is not a suffix of[^\n]*/.exec(log)?.[0] ?? ''}`,
  );
  await s.ok('podman rm -fa -t 0 >/dev/null');
});

test(`fix: cgherd from its .deb over crun 1.8.1, ${FIX_ROUNDS} rounds in the leaf, no internal processes`, async () => {
  const s = h();
  await installCgherd(s, DEB);
  await s.ok(runTreeCommand('j0'));
  await s.ok('sleep 1');
  for (let round = 1; round <= FIX_ROUNDS; round++) {
    const from = `j${round - 1}`;
    const to = `j${round}`;
    const oldId = await containerId(s, from);
    const t = Date.now();
    const ck = await s.sh(`podman container checkpoint --export /tmp/${from}.tar ${from}`);
    assert.is(
      ck.code,
      0,
      `round ${round}: checkpoint ${from}: ${ck.stderr}\n${await criuLogErrors(s, ck.stderr)}`,
    );
    await s.ok(`podman container restore --import /tmp/${from}.tar --name ${to} >/dev/null`);
    const tree = await assertInLeaf(s, to, 6);
    const id = await containerId(s, to);
    await assertNoInternalProcs(s, id);
    await s.ok(`systemctl is-active --quiet libpod-${id}.scope`);
    await s.ok(`! test -e /sys/fs/cgroup/machine.slice/libpod-${oldId}.scope`);
    await s.ok(`podman rm ${from} >/dev/null`);
    console.log(
      `  round ${round}: ${tree.length} processes in ${leafOf(id).slice(0, 40)}…/container, ${Date.now() - t} ms`,
    );
  }
  const last = await s.sh(
    `podman container checkpoint --export /tmp/j${FIX_ROUNDS}.tar j${FIX_ROUNDS}`,
  );
  assert.is(last.code, 0, `checkpoint after round ${FIX_ROUNDS}: ${last.stderr}`);
  await s.ok('podman rm -fa -t 0 >/dev/null');
});

test(`over crun 1.21 (systemd), through cgherd: ${CRUN121_ROUNDS} round in the leaf, the herd moves nothing`, async () => {
  const s = h();
  await useCrun(s, 'crun-1.21-systemd');
  const log = await debugCgherd(s);
  await s.ok(runTreeCommand('f0'));
  await s.ok('sleep 1');
  for (let round = 1; round <= CRUN121_ROUNDS; round++) {
    const from = `f${round - 1}`;
    const to = `f${round}`;
    await s.ok(`podman container checkpoint --export /tmp/${from}.tar ${from} >/dev/null`);
    await s.ok(`podman container restore --import /tmp/${from}.tar --name ${to} >/dev/null`);
    await assertInLeaf(s, to, 6);
    await assertNoInternalProcs(s, await containerId(s, to));
    await s.ok(`podman rm ${from} >/dev/null`);
  }
  await s.ok(
    `podman container checkpoint --export /tmp/f${CRUN121_ROUNDS}.tar f${CRUN121_ROUNDS} >/dev/null`,
  );
  const herds = herdLogLines(await s.ok(`cat ${log}`));
  for (const line of herds) console.log(`  ${line.line}`);
  // Each round's restore and checkpoint, and the last checkpoint, went through cgherd.
  const want = 2 * CRUN121_ROUNDS + 1;
  assert.ok(
    herds.length >= want,
    `expected at least ${want} herds in the debug log, saw ${herds.length}`,
  );
  assert.equal(
    herds.filter((x) => x.moved !== 0).map((x) => x.line),
    [],
    'crun 1.21 placed the tree: the herd had nothing to move',
  );
  await s.ok('podman rm -fa -t 0 >/dev/null');
});

test.run();
