// The .deb installs into a throwaway root with `dpkg --root`, its files land where they
// should, and the installed cgherd runs. The root's dpkg database holds this host's own
// status records for nodejs, criu and crun, so dpkg checks the real Depends line against
// real versions (the control: an empty database refuses to configure the package).
// The .rpm is checked for its metadata and installed with `rpm --root` too.

import { test } from 'uvu';
import { before } from '../lib/bed/before.js';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readlinkSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { RUNTIMES, inMode, runCommand, type RunResult } from '../lib/bed/bed.js';
import { DEB, RPM, VERSION, ensurePackages } from '../lib/bed/package-build.js';

const work = mkdtempSync('/tmp/cgt-op-pkg-');

/** An empty dpkg database under `root`, optionally seeded with host packages' status. */
function dpkgRoot(name: string, seed: readonly string[]): string {
  const root = join(work, name);
  const admin = join(root, 'var/lib/dpkg');
  for (const d of ['info', 'updates', 'triggers']) mkdirSync(join(admin, d), { recursive: true });
  writeFileSync(join(admin, 'available'), '');
  const status =
    seed.length > 0 ? execFileSync('dpkg-query', ['-s', ...seed], { encoding: 'utf8' }) : '';
  writeFileSync(join(admin, 'status'), status);
  for (const p of seed) writeFileSync(join(admin, 'info', `${p}.list`), '');
  return root;
}

/** dpkg on a throwaway root. That root has no shell, so the maintainer scripts run outside
 *  it, with DPKG_ROOT naming it (packaging/prerm honours DPKG_ROOT). */
function dpkg(root: string, args: string[]): Promise<RunResult> {
  return runCommand('/usr/bin/dpkg', [`--root=${root}`, '--force-script-chrootless', ...args], {
    timeoutMs: 120_000,
  });
}

before(test, ensurePackages);

test.after(() => rmSync(work, { recursive: true, force: true }));

test('control: without nodejs, criu and crun|runc dpkg refuses to configure it', async () => {
  const root = dpkgRoot('empty', []);
  const r = await dpkg(root, ['-i', DEB]);
  assert.is.not(r.code, 0);
  assert.match(r.stderr, /cgherd depends on nodejs \(>= 18\.19\)/);
  assert.match(r.stderr, /cgherd depends on criu/);
  assert.match(r.stderr, /cgherd depends on crun \| runc/);
});

test('.deb: metadata', () => {
  const fields = execFileSync(
    'dpkg-deb',
    ['-f', DEB, 'Package', 'Version', 'Architecture', 'Depends', 'Provides'],
    {
      encoding: 'utf8',
    },
  );
  assert.match(fields, `Version: ${VERSION}`);
  assert.match(fields, 'Architecture: all');
  assert.match(fields, 'Depends: nodejs (>= 18.19), criu, crun | runc');
  assert.match(fields, 'Provides: oci-runtime');
});

test('.deb: installs with dpkg --root; files land where they should; cgherd runs', async () => {
  const root = dpkgRoot('deb', ['nodejs', 'criu', 'crun']);
  const r = await dpkg(root, ['-i', DEB]);
  assert.is(r.code, 0, r.stderr + r.stdout);
  const status = execFileSync(
    'dpkg-query',
    [`--admindir=${root}/var/lib/dpkg`, '-W', '-f', '${Status} ${Version}', 'cgherd'],
    {
      encoding: 'utf8',
    },
  );
  assert.is(status, `install ok installed ${VERSION}`);

  const at = (p: string): string => join(root, p);
  assert.ok(lstatSync(at('usr/bin/cgherd')).isSymbolicLink());
  assert.is(readlinkSync(at('usr/bin/cgherd')), '../lib/cgherd/bin/cgherd');
  assert.ok(statSync(at('usr/lib/cgherd/bin/cgherd')).mode & 0o111, 'launcher not executable');
  for (const p of [
    'usr/lib/cgherd/package.json',
    'usr/lib/cgherd/oclif.manifest.json',
    'usr/lib/cgherd/dist/src/cli.js',
    'usr/lib/cgherd/dist/src/cgherd-runtime.cjs',
    'usr/lib/cgherd/dist/src/validate/oci-config.bundle.cjs',
    'usr/lib/cgherd/dist/src/commands/doctor.js',
    'usr/lib/cgherd/dist/hooks/index.js',
    'usr/lib/cgherd/schemas/cgherd-config.schema.json',
    'usr/lib/cgherd/node_modules/@oclif/core/package.json',
    'usr/lib/cgherd/node_modules/ajv/package.json',
    'usr/share/cgherd/50-cgherd.conf',
    'usr/share/man/man8/cgherd.8.gz',
    'usr/share/bash-completion/completions/cgherd',
    'usr/share/doc/cgherd/copyright',
  ]) {
    assert.ok(existsSync(at(p)), `${p} is missing`);
  }
  // Production modules only, and no tests; the Podman drop-in is not active.
  for (const p of [
    'usr/lib/cgherd/node_modules/typescript',
    'usr/lib/cgherd/node_modules/uvu',
    'usr/lib/cgherd/dist/test',
  ]) {
    assert.not.ok(existsSync(at(p)), `${p} should not be packaged`);
  }
  assert.not.ok(
    existsSync(at('etc/containers')),
    'the package must not activate the Podman drop-in',
  );
  const man = execFileSync('/bin/sh', ['-c', `zcat ${at('usr/share/man/man8/cgherd.8.gz')}`], {
    encoding: 'utf8',
  });
  for (const section of ['CONFIGURATION', 'ENVIRONMENT', 'FILES', 'EXIT STATUS', 'RUNTIME USAGE']) {
    assert.match(man, `.SH ${section}`);
  }
  assert.match(man, `cgherd ${VERSION}`);
  const completion = execFileSync(
    '/bin/bash',
    [
      '-c',
      `source ${at('usr/share/bash-completion/completions/cgherd')}; ` +
        'COMP_WORDS=(cgherd ins); COMP_CWORD=1; _cgherd; echo "${COMPREPLY[*]}"; ' +
        'COMP_WORDS=(cgherd install ""); COMP_CWORD=2; _cgherd; echo "${COMPREPLY[*]}"',
    ],
    { encoding: 'utf8' },
  );
  assert.is(completion, 'inspect install\npodman\n');

  // The installed launcher, through its /usr/bin symlink.
  const bin = at('usr/bin/cgherd');
  const version = await runCommand(bin, ['--version']);
  assert.is(version.code, 0, version.stderr);
  assert.match(version.stdout, `cgherd version ${VERSION}`);
  assert.match(version.stdout, /crun version/);

  const help = await runCommand(bin, ['--help']);
  assert.is(help.code, 0, help.stderr);
  for (const c of ['doctor', 'inspect', 'repair', 'install', 'validate'])
    assert.match(help.stdout, c);

  // doctor --json, in plain v1 (this host's hybrid layout is itself an error for crun).
  const doctor = await inMode('v1', bin, ['doctor', '--json'], {
    env: { CGHERD_RUNTIME: RUNTIMES.crun181 },
  });
  assert.is(doctor.code, 0, doctor.stderr + doctor.stdout);
  const report = JSON.parse(doctor.stdout) as {
    criu: { version: string };
    runtime: { path: string; identity: { version: string } };
    cgroups: { mode: string };
    findings: { id: string; summary: string }[];
  };
  assert.is(report.criu.version, '4.1.1');
  assert.is(report.runtime.path, RUNTIMES.crun181);
  assert.is(report.runtime.identity.version, '1.8.1');
  assert.is(report.cgroups.mode, 'v1');
  const bug = report.findings.find(
    (f) => f.id === 'crun-restore-placement' || f.id === 'bug:crun-restore-placement',
  );
  assert.ok(bug, 'doctor does not name the crun 1.8.1 restore bug');
  assert.match(bug?.summary ?? '', /crun 1\.8\.1/);

  // Registered with Podman, then purged: the prerm takes the drop-in back (and the
  // directory it created), so Podman is never left naming a runtime that is gone.
  const dropIn = at('etc/containers/containers.conf.d/50-cgherd.conf');
  const reg = await runCommand(bin, ['install', 'podman', '--root-dir', root]);
  assert.is(reg.code, 0, reg.stderr + reg.stdout);
  assert.ok(existsSync(dropIn), 'install podman wrote no drop-in');
  const rm = await dpkg(root, ['--purge', 'cgherd']);
  assert.is(rm.code, 0, rm.stderr);
  assert.match(rm.stdout + rm.stderr, 'removed ' + dropIn);
  assert.not.ok(existsSync(dropIn), 'the purge left the Podman drop-in behind');
  assert.not.ok(existsSync(at('etc/containers/containers.conf.d')));
  assert.not.ok(existsSync(at('usr/lib/cgherd')));
  assert.not.ok(existsSync(at('usr/bin/cgherd')));
});

test('.rpm: metadata, and the files of an rpm --root install', async () => {
  const q = (args: string[]): string =>
    execFileSync('rpm', ['-qp', ...args, RPM], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
  // Exactly these, besides rpm's own rpmlib() features: no requirement generated from
  // the bundled node modules (AutoReqProv is off), and /bin/sh for the %preun scriptlet.
  const requires = q(['--requires'])
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('rpmlib('))
    .sort();
  assert.equal(requires, ['(crun or runc)', '/bin/sh', 'criu', 'nodejs >= 18.19']);
  assert.match(q(['--scripts']), /preuninstall scriptlet[^\n]*\n[^\n]*"\$1" -eq 0/);
  assert.match(q(['--provides']), /^oci-runtime$/m);
  const root = join(work, 'rpm');
  mkdirSync(root, { recursive: true });
  // This root has no nodejs or criu rpms: the dependencies are checked above, not here.
  const r = await runCommand('/usr/bin/rpm', ['--root', root, '--nodeps', '-i', RPM], {
    timeoutMs: 120_000,
  });
  assert.is(r.code, 0, r.stderr);
  assert.is(readlinkSync(join(root, 'usr/bin/cgherd')), '../lib/cgherd/bin/cgherd');
  assert.ok(existsSync(join(root, 'usr/lib/cgherd/node_modules/@oclif/core/package.json')));
  assert.ok(existsSync(join(root, 'usr/share/man/man8/cgherd.8.gz')));
  const v = await runCommand(join(root, 'usr/bin/cgherd'), ['--version']);
  assert.match(v.stdout, `cgherd version ${VERSION}`);
});

test.run();
