// Proves, on the Debian 12 VM (test/env/vm-host.sh: systemd PID 1, cgroup v2 with every
// controller), containerd 1.6.20 with SystemdCgroup (runc v2 shim, `--runc-systemd-cgroup`,
// so the shim runs its runc binary with the global `--systemd-cgroup`; cgroupsPath
// `machine.slice:cgt:<id>`, one `cgt-<id>.scope` per container), the ctr cycle of the
// containerd rows (test/lib/vm-ctd.ts) with the busybox tree8:
//   - control: cgherd over crun 1.8.1 with its engine rows only (herd off, no restore
//     cgroup root), restore into the new id's own scope: 7 of 8 restored processes stay
//     outside the init's cgroup and the next checkpoint fails `Unseizable`;
//   - the fix: cgherd from its .deb over crun 1.8.1 (built with systemd), both restore
//     variants (the original's cgroupsPath, as ctr does; the new id's own, as Kubernetes
//     does), 3 rounds each: every restore has its 8 processes in the expected scope's
//     leaf, the scope active and no process in the scope itself, and every checkpoint
//     passes.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOTFS_BUSYBOX } from '../lib/bed/bed.js';
import { processArgs } from '../lib/scenario/bundle.js';
import { buildOciArchive } from '../lib/containerd/ctd-image.js';
import { DEB, ensurePackages } from '../lib/bed/package-build.js';
import { hostSession } from '../lib/host-session.js';
import { CTD_SYSTEMD_SH, parseCtdSteps, type CtdVmStep } from '../lib/vm-ctd.js';
import { startVmHost, stopVmHost, type VmHost } from '../lib/vm-host.js';

const ROUNDS = 3;
const CRUN181 = '/opt/crun/crun-1.8.1-systemd/crun';

const session = hostSession(
  'containerd-vm-systemd',
  async () => {
    await ensurePackages();
    return startVmHost();
  },
  stopVmHost,
  async (host) => {
    const share = host.share;
    writeFileSync(join(share, 'ctd.sh'), CTD_SYSTEMD_SH, { mode: 0o755 });
    writeFileSync(join(share, 'tree8.sh'), processArgs('tree8')[2] ?? '');
    await buildOciArchive(
      ROOTFS_BUSYBOX,
      join(share, 'bb-oci.tar'),
      'docker.io/cgt/busybox:latest',
    );
    cpSync(DEB, join(share, 'cgherd.deb'));
    // cgherd over crun 1.8.1; and the same with the engine rows only (the control).
    writeFileSync(
      join(share, 'cgherd181'),
      `#!/bin/sh\nexport CGHERD_RUNTIME=${CRUN181}\nexec /usr/bin/cgherd "$@"\n`,
      { mode: 0o755 },
    );
    writeFileSync(
      join(share, 'rows-only.json'),
      JSON.stringify({ runtime: CRUN181, herd: false, restoreCgroupRoot: 'never' }),
    );
    writeFileSync(
      join(share, 'rows181'),
      '#!/bin/sh\nexport CGHERD_CONFIG=/opt/cgt/rows-only.json\nexec /usr/bin/cgherd "$@"\n',
      { mode: 0o755 },
    );
    await host.ok(
      'dpkg -i /opt/cgt/cgherd.deb >/dev/null && systemctl is-active --quiet containerd',
    );
  },
);
const h = (): VmHost => session.host();

async function cycle(
  runtime: string,
  variant: string,
  base: string,
): Promise<{ out: string; steps: CtdVmStep[] }> {
  const r = await h().sh(`sh /opt/cgt/ctd.sh ${runtime} ${variant} ${ROUNDS} ${base}`, 900_000);
  const out = `${r.stdout}${r.stderr}`;
  for (const line of out.trim().split('\n')) console.log(`  ${line}`);
  return { out, steps: parseCtdSteps(out) };
}

test('control: cgherd over crun 1.8.1, engine rows only (no herd, no restore root), own cgroup: Unseizable', async () => {
  const { out, steps } = await cycle('/opt/cgt/rows181', 'own-cgroup', 'r');
  const restore = steps.find((s) => s.kind === 'restore');
  assert.ok(restore?.ok, `no restore:\n${out}`);
  assert.ok(Number(restore?.fields.strays) > 0, `the control placed the whole tree:\n${out}`);
  const failed = steps.find((s) => !s.ok);
  assert.is(failed?.kind, 'checkpoint', `expected a failed checkpoint:\n${out}`);
  assert.match(out, /Unseizable/);
  assert.not.match(out, /CYCLE PASSED/);
});

for (const variant of ['own-cgroup', 'same-cgroup']) {
  test(`fix: cgherd over crun 1.8.1 (systemd), ${variant}: ${ROUNDS} rounds through ctr pass`, async () => {
    const { out, steps } = await cycle(
      '/opt/cgt/cgherd181',
      variant,
      variant === 'own-cgroup' ? 'o' : 's',
    );
    assert.match(out, /CYCLE PASSED/, out);
    assert.not.match(out, /WRONG-CGROUP|INTERNAL-PROCS/, out);
    const restores = steps.filter((s) => s.kind === 'restore');
    assert.is(restores.length, ROUNDS);
    assert.is(steps.filter((s) => s.kind === 'checkpoint' && s.ok).length, ROUNDS + 1);
    for (const r of restores) {
      assert.is(r.fields.members, '8', r.text);
      assert.is(r.fields.strays, '0', r.text);
      assert.is(r.fields.scope, 'active', r.text);
      assert.ok(r.fields.init_cgroup?.startsWith(r.fields.expected ?? '?'), r.text);
    }
  });
}

test.run();
