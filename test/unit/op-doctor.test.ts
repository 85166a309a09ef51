import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { DoctorFacts } from '../../src/operator/doctor/facts.js';
import { doctorExitCode, doctorFindings } from '../../src/operator/doctor/findings.js';
import { applicableBugs } from '../../src/operator/doctor/known-bugs.js';
import { identifyRuntime } from '../../src/lower/version.js';
import { cgroupLayout } from '../../src/operator/doctor/cgroup-layout.js';
import { effectiveEngine } from '../../src/engines/podman-conf.js';
import { EXIT } from '../../src/operator/exit.js';

const CRUN121 =
  'crun version 1.21\ncommit: 1026\nrundir: /run/crun\nspec: 1.0.0\n+SYSTEMD +SELINUX +CAP +SECCOMP +EBPF +CRIU +YAJL\n';
const CRUN181 =
  'crun version 1.8.1\ncommit: abc\nspec: 1.0.0\n+SYSTEMD +CAP +SECCOMP +EBPF +CRIU +YAJL\n';
const CRUN181_NOCRIU =
  'crun version 1.8.1\ncommit: abc\nspec: 1.0.0\n+SYSTEMD +CAP +SECCOMP +EBPF +YAJL\n';

const v1 = cgroupLayout(
  [{ version: 1, mountPoint: '/sys/fs/cgroup/cpu', root: '/', options: new Set(['rw', 'cpu']) }],
  { systemdBooted: false, readControllers: () => [] },
);

function facts(runtimeText: string, overrides: Partial<DoctorFacts> = {}): DoctorFacts {
  const identity = identifyRuntime('/usr/bin/crun', runtimeText);
  return {
    criu: { path: '/usr/sbin/criu', version: '4.1.1', check: { ok: true, detail: 'Looks good.' } },
    runtime: {
      path: '/usr/bin/crun',
      source: 'standard locations',
      configError: undefined,
      identity,
    },
    cgroups: v1,
    podman: {
      path: '/usr/bin/podman',
      version: '4.3.1',
      overridden: false,
      files: [],
      view: effectiveEngine([]),
      error: undefined,
      registeredPathOk: undefined,
    },
    bugs: applicableBugs(identity),
    ...overrides,
  };
}

test('runtime versions and CRIU support', () => {
  const crun = identifyRuntime('/usr/bin/crun', CRUN121);
  assert.is(crun.name, 'crun');
  assert.is(crun.version, '1.21');
  assert.ok(crun.criu);
  assert.not.ok(identifyRuntime('/x/crun', CRUN181_NOCRIU).criu);
  const runc = identifyRuntime(
    '/usr/sbin/runc',
    'runc version 1.1.15\ncommit: v1\nspec: 1.0.2-dev\n',
  );
  assert.is(runc.name, 'runc');
  assert.ok(runc.criu);
});

test('crun 1.8.1 names the restore placement bug; 1.21 does not', () => {
  const old = applicableBugs(identifyRuntime('/c', CRUN181));
  assert.equal(
    old.map((b) => b.id),
    ['crun-restore-placement', 'crun-known-issue-2'],
  );
  assert.match(old[1]?.summary ?? '', /--manage-cgroups-mode/);
  assert.is(old[0]?.severity, 'warning');
  assert.match(old[0]?.summary ?? '', /crun 1\.8\.1 .*Unseizable non-zombie/);
  const cur = applicableBugs(identifyRuntime('/c', CRUN121));
  assert.not.ok(cur.some((b) => b.id === 'crun-restore-placement'));
  assert.ok(cur.length > 0 && cur.every((b) => b.severity === 'info'));
  assert.equal(applicableBugs(identifyRuntime('/c', 'crun version 1.30\n+CRIU')), []);
});

test('restoreCgroupRoot: "never" changes the advice for a runtime that needs it; "always" is reported', () => {
  const old = identifyRuntime('/c', CRUN181);
  const never = applicableBugs(old, 'never');
  assert.match(never[0]?.advice ?? '', /"never".*not a suffix of.*"auto"/);
  assert.is(never[0]?.severity, 'warning');
  assert.not.match(applicableBugs(old, 'auto')[0]?.advice ?? '', /never/);
  assert.not.ok(applicableBugs(old, 'always').some((b) => b.id === 'restore-cgroup-root-forced'));
  const cur = applicableBugs(identifyRuntime('/c', CRUN121), 'always');
  const forced = cur.find((b) => b.id === 'restore-cgroup-root-forced');
  assert.is(forced?.severity, 'info');
  assert.match(forced?.summary ?? '', /"always".*crun 1\.21/);
  assert.not.ok(
    applicableBugs(identifyRuntime('/c', CRUN121)).some(
      (b) => b.id === 'restore-cgroup-root-forced',
    ),
  );
});

test('a healthy host exits 0; warnings alone exit 0', () => {
  const f = doctorFindings(facts(CRUN181));
  assert.ok(f.some((x) => x.severity === 'warning' && x.id === 'bug:crun-restore-placement'));
  assert.ok(
    f.some((x) => x.id === 'podman' && x.severity === 'warning'),
    'bug applies and Podman lacks cgherd',
  );
  assert.is(doctorExitCode(f), EXIT.OK);
});

test('no CRIU support, no criu, failing criu check: exit 1', () => {
  assert.is(doctorExitCode(doctorFindings(facts(CRUN181_NOCRIU))), EXIT.PROBLEM);
  const noCriu = facts(CRUN121, {
    criu: { path: undefined, version: undefined, check: undefined },
  });
  assert.is(doctorExitCode(doctorFindings(noCriu)), EXIT.PROBLEM);
  const bad = facts(CRUN121, {
    criu: {
      path: '/usr/sbin/criu',
      version: '3.17.1',
      check: { ok: false, detail: 'vdso: Unexpected rt vDSO area bounds' },
    },
  });
  const f = doctorFindings(bad);
  assert.match(f.find((x) => x.id === 'criu')?.summary ?? '', /vDSO/);
  assert.is(doctorExitCode(f), EXIT.PROBLEM);
});

test('hybrid with controllers in cgroup2 is an error for crun', () => {
  const hybrid = cgroupLayout(
    [
      { version: 1, mountPoint: '/sys/fs/cgroup/cpu', root: '/', options: new Set(['rw', 'cpu']) },
      { version: 2, mountPoint: '/sys/fs/cgroup/unified', root: '/', options: new Set() },
    ],
    { systemdBooted: false, readControllers: () => ['hugetlb'] },
  );
  assert.is(hybrid.mode, 'hybrid');
  const f = doctorFindings(facts(CRUN121, { cgroups: hybrid }));
  assert.is(f.find((x) => x.id === 'cgroups')?.severity, 'error');
  assert.is(doctorExitCode(f), EXIT.PROBLEM);
});

test('a broken cgherd config or an unreadable Podman dir exits with its own code', () => {
  const broken = facts(CRUN121, {
    runtime: {
      path: undefined,
      source: 'configuration',
      configError: 'config file /x: field /runtime: bad',
      identity: undefined,
    },
  });
  assert.is(doctorExitCode(doctorFindings(broken)), EXIT.CONFIG);
  const unreadable = facts(CRUN121, {
    podman: {
      path: '/usr/bin/podman',
      version: '4.3.1',
      overridden: false,
      files: [],
      view: undefined,
      error: {
        message:
          'cannot read Podman drop-in directory /etc/containers/containers.conf.d: permission denied',
        exitCode: EXIT.PERMISSION,
      },
      registeredPathOk: undefined,
    },
  });
  const f = doctorFindings(unreadable);
  assert.match(f.find((x) => x.id === 'podman')?.summary ?? '', /permission denied/);
  assert.is(doctorExitCode(f), EXIT.PERMISSION);
});

test('Podman with cgherd as default, and with a stale path', () => {
  const view = effectiveEngine([
    {
      path: '/etc/containers/containers.conf.d/50-cgherd.conf',
      text: '[engine]\nruntime = "cgherd"\nruntime_supports_json = ["cgherd"]\n[engine.runtimes]\ncgherd = ["/usr/bin/cgherd"]\n',
    },
  ]);
  const base = facts(CRUN181);
  const ok = doctorFindings({ ...base, podman: { ...base.podman, view, registeredPathOk: true } });
  assert.is(ok.find((x) => x.id === 'podman')?.severity, 'ok');
  assert.match(ok.find((x) => x.id === 'podman')?.summary ?? '', /by default/);
  const stale = doctorFindings({
    ...base,
    podman: { ...base.podman, view, registeredPathOk: false },
  });
  assert.is(stale.find((x) => x.id === 'podman')?.severity, 'error');
});

test.run();
