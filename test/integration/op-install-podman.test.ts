// `cgherd install podman` against the real Podman 4.3.1: Podman must pick the drop-in up,
// and `install --remove` must leave /etc/containers exactly as it was. Each case runs in a
// private mount namespace with a copy of /etc/containers bound over the real one, so the
// host's configuration is never touched.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { CGHERD_BIN, RUNTIMES, runCommand, type RunResult } from '../lib/bed/bed.js';

const work = mkdtempSync('/tmp/cgt-op-pod-');
const PODMAN = `podman --root ${work}/storage --runroot ${work}/run --cgroup-manager cgroupfs --events-backend file`;

/** Runs `script` (sh) with /etc/containers replaced by a private copy. */
function withPrivateEtc(script: string, prelude = ''): Promise<RunResult> {
  const setup = [
    'set -e',
    `cp -a /etc/containers ${work}/etc-containers`,
    `mount --bind ${work}/etc-containers /etc/containers`,
    // crun refuses this host's hybrid layout (doctor says so); show it plain v1.
    'if mountpoint -q /sys/fs/cgroup/unified; then umount /sys/fs/cgroup/unified; fi',
    `cd ${work}`,
    prelude,
    'set +e',
    script,
  ].join('\n');
  return runCommand(
    '/usr/bin/unshare',
    ['-m', '--propagation', 'private', '/bin/sh', '-c', setup],
    {
      timeoutMs: 120_000,
    },
  ).finally(() => rmSync(`${work}/etc-containers`, { recursive: true, force: true }));
}

/** A fingerprint of /etc/containers: path, type, mode, size, inode, sha256. Podman itself
 *  creates networks/ on first use; that is not ours to compare. */
const FIND = 'find /etc/containers -path /etc/containers/networks -prune -o';
const FINGERPRINT = `${FIND} -printf '%P %y %m %s %i\\n' | sort; ${FIND} -type f -exec sha256sum {} + | sort`;

test.after(() => rmSync(work, { recursive: true, force: true }));

test('control: without the drop-in Podman does not know cgherd', async () => {
  const r = await withPrivateEtc(
    `${PODMAN} --runtime cgherd info --format '{{.Host.OCIRuntime.Name}}'; echo rc=$?`,
  );
  assert.match(r.stdout + r.stderr, /rc=125|not found/);
  assert.not.match(r.stdout, /^cgherd$/m);
});

test('install podman: Podman runs `--runtime cgherd`; --remove restores the tree exactly', async () => {
  const r = await withPrivateEtc(
    [
      `${FINGERPRINT} > before.txt`,
      `${CGHERD_BIN} install podman || exit 10`,
      `${PODMAN} --runtime cgherd info --format 'runtime={{.Host.OCIRuntime.Name}} path={{.Host.OCIRuntime.Path}}' || exit 11`,
      `${PODMAN} info --format 'default={{.Host.OCIRuntime.Name}}' || exit 12`,
      `${CGHERD_BIN} doctor --json > doctor.json; echo doctor=$?`,
      `grep -c '"podman"' doctor.json >/dev/null || exit 13`,
      `${CGHERD_BIN} install --remove || exit 14`,
      `${FINGERPRINT} > after.txt`,
      'cmp before.txt after.txt && echo identical',
      `cat doctor.json`,
    ].join('\n'),
  );
  assert.is(r.code, 0, r.stderr + r.stdout);
  assert.match(r.stdout, `runtime=cgherd path=${CGHERD_BIN}`);
  assert.not.match(
    r.stdout,
    /default=cgherd/,
    'without --default Podman must keep its own default',
  );
  assert.match(r.stdout, /^identical$/m);
  const doctorJson = r.stdout.slice(r.stdout.indexOf('{'));
  const doctor = JSON.parse(doctorJson) as { findings: { id: string; summary: string }[] };
  const podman = doctor.findings.find((f) => f.id === 'podman');
  assert.match(podman?.summary ?? '', /knows cgherd/);
});

test('install podman --default over a foreign 50-cgherd.conf; --remove puts it back byte for byte', async () => {
  const r = await withPrivateEtc(
    [
      `${FINGERPRINT} > before.txt`,
      `${CGHERD_BIN} install podman --default || exit 10`,
      'ls -a /etc/containers/containers.conf.d',
      `${PODMAN} info --format 'default={{.Host.OCIRuntime.Name}}' || exit 11`,
      `${CGHERD_BIN} install --remove || exit 12`,
      `${FINGERPRINT} > after.txt`,
      'cmp before.txt after.txt && echo identical',
    ].join('\n'),
    [
      'mkdir -p /etc/containers/containers.conf.d',
      'printf \'# site file\\n[engine]\\nevents_logger = "file"\\n\' > /etc/containers/containers.conf.d/50-cgherd.conf',
      'chmod 640 /etc/containers/containers.conf.d/50-cgherd.conf',
    ].join('\n'),
  );
  assert.is(r.code, 0, r.stderr + r.stdout);
  assert.match(r.stdout, /\.50-cgherd\.conf\.cgherd-backup/);
  assert.match(r.stdout, /default=cgherd/);
  assert.match(r.stdout, /^identical$/m);
});

test('an unreadable containers.conf.d: install and doctor name it and exit 5', async () => {
  const r = await withPrivateEtc(
    [
      // A lower runtime with CRIU, so that the unreadable directory is doctor's only error.
      `export CGHERD_RUNTIME=${RUNTIMES.crun121}`,
      'DROP="/usr/bin/setpriv --bounding-set=-dac_override,-dac_read_search"',
      `$DROP ${CGHERD_BIN} install podman; echo install=$?`,
      `$DROP ${CGHERD_BIN} doctor; echo doctor=$?`,
    ].join('\n'),
    'mkdir -p /etc/containers/containers.conf.d && chmod 000 /etc/containers/containers.conf.d',
  );
  assert.match(r.stdout, /^install=5$/m, r.stdout + r.stderr);
  assert.match(r.stdout, /^doctor=5$/m, r.stdout + r.stderr);
  assert.match(r.stderr, /containers\.conf\.d.*permission denied/);
  assert.match(
    r.stdout,
    /\[ERROR\] Podman configuration: cannot read Podman drop-in directory \/etc\/containers\/containers\.conf\.d: permission denied/,
  );
});

/** Like withPrivateEtc, with all of /etc private: `--as` writes /etc/cgherd too. */
function withPrivateWholeEtc(script: string): Promise<RunResult> {
  const setup = [
    'set -e',
    `cp -a /etc ${work}/etc`,
    `mount --bind ${work}/etc /etc`,
    'if mountpoint -q /sys/fs/cgroup/unified; then umount /sys/fs/cgroup/unified; fi',
    `cd ${work}`,
    `printf '[engine.runtimes]\\ncrun = ["${RUNTIMES.crun181}"]\\n' > /etc/containers/containers.conf`,
    'set +e',
    script,
  ].join('\n');
  return runCommand(
    '/usr/bin/unshare',
    ['-m', '--propagation', 'private', '/bin/sh', '-c', setup],
    {
      timeoutMs: 120_000,
    },
  ).finally(() => rmSync(`${work}/etc`, { recursive: true, force: true }));
}

const FP_ALL = `{ find /etc/containers /etc/cgherd -path /etc/containers/networks -prune -o -printf '%p %y %m %s %i\\n' 2>/dev/null | sort; }`;

test('install podman --as crun: dry run writes nothing; Podman resolves crun to cgherd; doctor reports it, and a missing lower runtime', async () => {
  const r = await withPrivateWholeEtc(
    [
      `${FP_ALL} > before.txt`,
      `${CGHERD_BIN} install podman --as cgherd; echo as-cgherd=$?`,
      `${CGHERD_BIN} install podman --as crun --dry-run || exit 10`,
      `${FP_ALL} > dry.txt`,
      'cmp before.txt dry.txt && echo dry-unchanged',
      `${CGHERD_BIN} install podman --as crun || exit 11`,
      `${PODMAN} info --format 'crun-path={{.Host.OCIRuntime.Path}}' || exit 12`,
      `${CGHERD_BIN} install podman --as crun | grep -q 'already up to date' && echo idempotent`,
      `CGHERD_RUNTIME=${RUNTIMES.crun121} ${CGHERD_BIN} doctor > doctor-ok.txt; echo doctor-ok=$?`,
      `printf '{"runtime": "/nonexistent/crun"}\\n' > /etc/cgherd/config.json`,
      `CGHERD_RUNTIME=${RUNTIMES.crun121} ${CGHERD_BIN} doctor > doctor-bad.txt; echo doctor-bad=$?`,
      'cat doctor-ok.txt doctor-bad.txt',
    ].join('\n'),
  );
  assert.match(r.stdout, /^as-cgherd=2$/m, r.stdout + r.stderr);
  assert.match(r.stdout, /^would write \/etc\/cgherd\/config\.json:$/m);
  assert.match(r.stdout, `"runtime": "${RUNTIMES.crun181}"`);
  assert.match(r.stdout, `crun = ["${CGHERD_BIN}"]`);
  assert.match(r.stdout, /^dry-unchanged$/m);
  assert.match(r.stdout, `crun-path=${CGHERD_BIN}`);
  assert.match(r.stdout, /^idempotent$/m);
  assert.match(
    r.stdout,
    `[ok]    Podman's runtime name crun runs cgherd (${CGHERD_BIN}, from /etc/containers/containers.conf.d/50-cgherd.conf) over ${RUNTIMES.crun181}`,
  );
  assert.match(
    r.stdout,
    /\[ERROR\] Podman's runtime name crun runs cgherd .* but its lower runtime \/nonexistent\/crun \(\/etc\/cgherd\/config\.json\) is missing/,
  );
  assert.match(r.stdout, /^doctor-bad=6$/m);
});

test.run();
