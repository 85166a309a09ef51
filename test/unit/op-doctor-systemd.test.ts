// Proves: doctor names the cgroup manager Podman uses (configured, or its default for the
// host), whether the lower runtime has +SYSTEMD, and reports an error with the remedy
// exactly when Podman uses systemd and the runtime was built without it. Texts checked.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runtimeHasSystemd } from '../../src/lower/features.js';
import { identifyRuntime } from '../../src/lower/version.js';
import {
  configuredCgroupManager,
  systemdManagerFindings,
  type SystemdManagerFacts,
} from '../../src/operator/doctor/systemd-manager.js';

const WITH =
  'crun version 1.8.1\ncommit: f8a0\nrundir: /run/crun\nspec: 1.0.0\n+SYSTEMD +SELINUX +APPARMOR +CAP +SECCOMP +EBPF +CRIU +YAJL\n';
const WITHOUT =
  'crun version 1.8.1\ncommit: f8a0\nrundir: /run/crun\nspec: 1.0.0\n+SELINUX +APPARMOR +CAP +SECCOMP +EBPF +CRIU +YAJL\n';

function facts(text: string, over: Partial<SystemdManagerFacts> = {}): SystemdManagerFacts {
  return {
    systemdBooted: true,
    configured: undefined,
    podman: true,
    runtime: identifyRuntime('/usr/bin/crun', text),
    ...over,
  };
}

test('systemd host, default manager, crun with +SYSTEMD: info and ok', () => {
  const f = systemdManagerFindings(facts(WITH));
  assert.equal(
    f.map((x) => [x.id, x.severity, x.summary]),
    [
      [
        'podman-cgroup-manager',
        'info',
        "Podman uses the systemd cgroup manager (Podman's default on a systemd host)",
      ],
      ['runtime-systemd', 'ok', 'crun 1.8.1 was built with systemd support (+SYSTEMD)'],
    ],
  );
});

test('systemd manager and a crun without +SYSTEMD: an error with the remedy', () => {
  const f = systemdManagerFindings(facts(WITHOUT)).find((x) => x.id === 'runtime-systemd');
  assert.is(f?.severity, 'error');
  assert.is(
    f?.summary,
    "Podman uses the systemd cgroup manager, but crun 1.8.1 was built without systemd (no +SYSTEMD in its --version): it cannot create Podman's containers",
  );
  assert.match(f?.advice ?? '', /libsystemd-dev/);
  assert.match(f?.advice ?? '', /without --disable-systemd/);
  assert.match(f?.advice ?? '', /cgroup_manager = "cgroupfs"/);
});

test('cgroupfs configured: a crun without systemd is only information', () => {
  const configured = { value: 'cgroupfs', file: '/etc/containers/containers.conf' };
  const f = systemdManagerFindings(facts(WITHOUT, { configured }));
  assert.is(
    f[0]?.summary,
    'Podman uses the cgroupfs cgroup manager (/etc/containers/containers.conf)',
  );
  assert.is(f[1]?.severity, 'info');
  assert.match(f[1]?.summary ?? '', /fine with Podman's cgroupfs manager/);
});

test('no systemd as PID 1 and nothing configured: Podman falls back to cgroupfs', () => {
  const f = systemdManagerFindings(facts(WITHOUT, { systemdBooted: false }));
  assert.is(
    f[0]?.summary,
    "Podman uses the cgroupfs cgroup manager (Podman's fallback when PID 1 is not systemd)",
  );
  assert.ok(f.every((x) => x.severity !== 'error'));
});

test('no Podman: nothing to say', () => {
  assert.equal(systemdManagerFindings(facts(WITHOUT, { podman: false })), []);
});

test('runc always has systemd; a crun without a feature line is unknown', () => {
  assert.is(
    runtimeHasSystemd(
      identifyRuntime('/usr/bin/runc', 'runc version 1.1.5\ncommit: x\nspec: 1.0.2-dev\n'),
    ),
    true,
  );
  assert.is(runtimeHasSystemd(identifyRuntime('/usr/bin/crun', 'crun version 1.8.1\n')), undefined);
  assert.is(runtimeHasSystemd(undefined), undefined);
  assert.is(systemdManagerFindings(facts('crun version 1.8.1\n')).length, 1);
});

test('the last containers.conf that sets engine.cgroup_manager wins; broken files are skipped', () => {
  assert.equal(
    configuredCgroupManager([
      {
        path: '/usr/share/containers/containers.conf',
        text: '[engine]\ncgroup_manager = "systemd"\n',
      },
      { path: '/etc/containers/containers.conf', text: '[engine]\ncgroup_manager = "cgroupfs"\n' },
      { path: '/etc/containers/containers.conf.d/x.conf', text: '[engine\n' },
      { path: '/etc/containers/containers.conf.d/y.conf', text: '[containers]\npids_limit = 0\n' },
    ]),
    { value: 'cgroupfs', file: '/etc/containers/containers.conf' },
  );
  assert.is(configuredCgroupManager([]), undefined);
});

test.run();
