// Proves, on the systemd host (Podman's systemd cgroup manager, crun --systemd-cgroup):
//   - cgherd, installed from its .deb with `install podman --as crun`, over crun 1.21
//     without the restore cgroup root (built with systemd): with restoreCgroupRoot
//     "always", two rounds of checkpoint --export -> restore --import --name pass, every
//     process in the new scope's leaf, and every herd in cgherd's debug log moved 0: the
//     cgroup root CRIU gets places the tree, the herd is only the safety net; crun records
//     that leaf (not the scope) as the container's cgroup. Control: with "auto" (no root
//     for a 1.21) the next checkpoint fails in CRIU ("... is not a suffix of ...", or no
//     freezer file found: both seen).
//   - Not here: crun 1.21 as released cannot restore at all on this VM's systemd host (CRIU:
//     `Failed writing 0-1 to cpuset//machine.slice/…/cpuset.cpus: Permission denied`, bare
//     crun too): measured 2026-12-06, so "over crun 1.21 the herd moves nothing" is not
//     testable here.
//   - `cgherd doctor` there reports the systemd manager and +SYSTEMD (ok), and, as the
//     control, an error with the remedy for a crun built --disable-systemd, which really
//     cannot create Podman's containers on this host.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES } from '../lib/bed/bed.js';
import { DEB, ensurePackages } from '../lib/bed/package-build.js';
import { hostSession } from '../lib/host-session.js';
import { startSystemdHost, stopSystemdHost, type SystemdHost } from '../lib/systemd-host.js';
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
  'podman-systemd-fixed',
  async () => {
    await ensurePackages();
    return startSystemdHost();
  },
  stopSystemdHost,
  async (host) => {
    await seedImage(host);
    await useCrun(host, 'crun-1.21-systemd');
    await installCgherd(host, DEB);
  },
);
const h = (): SystemdHost => session.host();

interface DoctorJson {
  exitCode: number;
  findings: { id: string; severity: string; summary: string; advice: string }[];
}

test('doctor: systemd manager, crun 1.21 with +SYSTEMD', async () => {
  const out = await h().ok('cgherd doctor --json || true');
  const report = JSON.parse(out) as DoctorJson;
  const byId = new Map(report.findings.map((f) => [f.id, f]));
  assert.is(
    byId.get('podman-cgroup-manager')?.summary,
    "Podman uses the systemd cgroup manager (Podman's default on a systemd host)",
  );
  assert.is(byId.get('runtime-systemd')?.severity, 'ok');
  assert.match(byId.get('runtime-systemd')?.summary ?? '', /^crun 1\.21 was built with systemd/);
});

test('doctor control: a crun built --disable-systemd is an error, and Podman really fails with it', async () => {
  const s = h();
  cpSync(join(FIXTURES, 'crun-1.8.1', 'crun'), join(s.share, 'crun-nosystemd'));
  const out = await s.ok('CGHERD_RUNTIME=/opt/cgt/crun-nosystemd cgherd doctor --json || true');
  const report = JSON.parse(out) as DoctorJson;
  const f = report.findings.find((x) => x.id === 'runtime-systemd');
  assert.is(f?.severity, 'error');
  assert.match(f?.summary ?? '', /built without systemd \(no \+SYSTEMD in its --version\)/);
  assert.match(f?.advice ?? '', /cgroup_manager = "cgroupfs"/);
  assert.is.not(report.exitCode, 0);
  const run = await s.sh('podman run --rm --runtime /opt/cgt/crun-nosystemd localhost/bb true');
  assert.is.not(
    run.code,
    0,
    'a crun without systemd created a container under the systemd manager',
  );
  console.log(
    `  crun --disable-systemd under Podman's systemd manager: ${run.stderr.trim().split('\n').at(-1) ?? ''}`,
  );
});

/** The cgherd configuration as installed (`runtime` only), plus `extra`. */
async function configure(s: SystemdHost, extra: string): Promise<void> {
  await s.ok(
    `printf '{"runtime": "/usr/bin/crun"${extra}}\\n' >/etc/cgherd/config.json && cat /etc/cgherd/config.json >/dev/null`,
  );
}

test('control: cgherd (auto) over crun 1.21 without the restore cgroup root: the next checkpoint fails', async () => {
  // auto gives CRIU the new cgroup only for crun <= 1.20; this build hides its bug behind
  // version 1.21, so the restored cgroup namespace stays at the old scope.
  const s = h();
  await useCrun(s, 'crun-1.21-noroot-systemd');
  await configure(s, '');
  await s.ok(runTreeCommand('a0'));
  await s.ok('sleep 1; podman container checkpoint --export /tmp/a0.tar a0 >/dev/null');
  await s.ok('podman container restore --import /tmp/a0.tar --name a1 >/dev/null');
  const r = await s.sh('podman container checkpoint --export /tmp/a1.tar a1');
  assert.is.not(r.code, 0, 'the checkpoint passed without the restore cgroup root');
  const log = await criuLogErrors(s, r.stderr);
  // Two outcomes were measured for the same steps (the restored namespace's root is the
  // old scope): CRIU's suffix check, or CRIU not finding the freezer file of the path crun
  // names, which it resolves inside that namespace.
  assert.match(
    log,
    /is not a suffix of|Neither a cgroupv1 \(freezer\.state\) or cgroupv2 \(cgroup\.freeze\)/,
    `expected a cgroup namespace failure:\n${log}\n${r.stderr}`,
  );
  await s.ok('podman rm -fa -t 0 >/dev/null');
});

test('restoreCgroupRoot "always" over crun 1.21 without the root: two rounds, the herd moves nothing', async () => {
  const s = h();
  await useCrun(s, 'crun-1.21-noroot-systemd');
  await configure(s, ', "restoreCgroupRoot": "always"');
  const log = await debugCgherd(s);
  await s.ok(runTreeCommand('f0'));
  await s.ok('sleep 1');
  for (let round = 1; round <= 2; round++) {
    const from = `f${round - 1}`;
    const to = `f${round}`;
    await s.ok(`podman container checkpoint --export /tmp/${from}.tar ${from} >/dev/null`);
    await s.ok(`podman container restore --import /tmp/${from}.tar --name ${to} >/dev/null`);
    await assertInLeaf(s, to, 6);
    const id = await containerId(s, to);
    const status = JSON.parse(await s.ok(`cat /run/crun/${id}/status`)) as Record<string, unknown>;
    assert.is(status['cgroup-path'], leafOf(id), 'crun records the leaf as the cgroup');
    await s.ok(`podman rm ${from} >/dev/null`);
  }
  await s.ok('podman container checkpoint --export /tmp/f2.tar f2 >/dev/null');
  const herds = herdLogLines(await s.ok(`cat ${log}`));
  for (const line of herds) console.log(`  ${line.line}`);
  // Two restores went through cgherd and herded. The checkpoints of containers cgherd
  // created or restored are proven (bin/cgherd proven_checkpoint): no Node, no herd.
  assert.ok(herds.length >= 2, `expected at least 2 herds in the debug log, saw ${herds.length}`);
  assert.equal(
    herds.filter((x) => x.moved !== 0).map((x) => x.line),
    [],
    'with the restore cgroup root, CRIU placed the tree: the herd had nothing to move',
  );
  await s.ok('podman rm -fa -t 0 >/dev/null');
});

test.run();
