// The .deb on a pristine Debian 12, as a new user meets it: a debootstrap root with no
// repository but Debian's (test/env/deb12-root.sh), Podman 4.3.1 from bookworm and a
// containers.conf of the user's own. There `apt-get install ./cgherd_*.deb` pulls only
// bookworm packages (nodejs 18.20, criu 3.17.1, crun 1.8.1); cgherd --version, doctor,
// validate and install podman work on that Node and those runtimes; Podman takes the
// drop-in; and `apt-get purge cgherd` takes everything back: no file of the package, no
// drop-in, /etc/containers byte for byte as before, and after `autoremove --purge` the
// package list as before.

import { test } from 'uvu';
import { before } from '../lib/bed/before.js';
import * as assert from 'uvu/assert';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  classifyChanges,
  describeForeign,
  parseAptPolicy,
  parseDpkgList,
} from '../lib/bed/apt-origin.js';
import { REPO_ROOT, runCommand, type RunResult } from '../lib/bed/bed.js';
import { DEB, VERSION, ensurePackages } from '../lib/bed/package-build.js';

const DEB12_ROOT = join(REPO_ROOT, 'test/env/deb12-root.sh');
const work = mkdtempSync('/var/tmp/cgt-op-deb12-');
const root = join(work, 'root');
const debInside = `/tmp/cgherd_${VERSION}_all.deb`;

/** A user's own containers.conf, which nothing of cgherd's may change. */
const USER_CONF =
  '# my own settings\n[engine]\ncgroup_manager = "cgroupfs"\nevents_logger = "file"\n';

/** Runs a shell script inside the Debian 12 root. */
function inRoot(script: string, timeoutMs = 300_000): Promise<RunResult> {
  return runCommand('/bin/sh', [DEB12_ROOT, 'run', root, '/bin/sh', '-c', script], {
    timeoutMs,
  });
}

async function ok(script: string, timeoutMs?: number): Promise<string> {
  const r = await inRoot(script, timeoutMs);
  assert.is(r.code, 0, `${script}\nexit ${r.code}\n${r.stderr}${r.stdout}`);
  return r.stdout;
}

const DPKG_LIST =
  "dpkg-query -W -f '${db:Status-Abbrev}${Package}:${Architecture}\\t${Version}\\n'";

/** Installed packages (package:arch → version), the way testbed-origins reads them. */
async function installed(): Promise<Map<string, string>> {
  const text = await ok(DPKG_LIST);
  const rows = text
    .split('\n')
    .filter((l) => l.startsWith('ii '))
    .map((l) => l.slice(3));
  return parseDpkgList(rows.join('\n'));
}

/** Every entry under /etc/containers: type, mode, path, and a checksum for files. */
const SNAPSHOT_ETC_CONTAINERS =
  "cd /etc/containers && find . -printf '%y %m %p\\n' | sort && find . -type f -exec sha256sum {} + | sort -k2";

let beforeCgherd: Map<string, string>;
let etcBefore: string;
let packageFiles: string[];

before(test, async () => {
  await ensurePackages();
  const made = await runCommand('/bin/sh', [DEB12_ROOT, 'make', root], { timeoutMs: 600_000 });
  assert.is(made.code, 0, made.stderr + made.stdout);
  copyFileSync(DEB, join(root, debInside));
});

test.after(() => rmSync(work, { recursive: true, force: true }));

test('the root knows no repository but Debian 12', async () => {
  const sources = await ok(
    'cat /etc/apt/sources.list; ls /etc/apt/sources.list.d; cat /etc/debian_version',
  );
  const lines = sources.split('\n').filter((l) => l.trim() !== '');
  assert.equal(
    lines.filter((l) => l.startsWith('deb')).map((l) => l.split(' ').slice(2).join(' ')),
    ['bookworm main'],
    sources,
  );
  assert.match(lines.at(-1) ?? '', /^12\./);
  // A Podman user: Podman 4.3.1 from bookworm, run once so that its own state exists,
  // and a containers.conf of the user's own.
  await ok('apt-get update -qq && apt-get install -y -qq podman >/dev/null', 600_000);
  await ok(`printf '%s' '${USER_CONF}' >/etc/containers/containers.conf && podman info >/dev/null`);
  assert.match(await ok('podman --version'), 'podman version 4.3.1');
  assert.is(await ok('cat /etc/containers/containers.conf'), USER_CONF);
  beforeCgherd = await installed();
  etcBefore = await ok(SNAPSHOT_ETC_CONTAINERS);
});

test('apt-get install ./cgherd.deb pulls only Debian 12 packages, nodejs 18 among them', async () => {
  await ok(`apt-get install -y -qq ${debInside} >/dev/null`, 600_000);
  const after = await installed();
  const added = [...after.keys()].filter((p) => !beforeCgherd.has(p));
  assert.ok(added.includes('cgherd:all'), added.join(' '));
  // crun came with Podman; nodejs and criu are cgherd's own to pull in.
  for (const dep of ['nodejs:amd64', 'criu:amd64'])
    assert.ok(added.includes(dep), `${dep} was not pulled in: ${added.join(' ')}`);
  const changed = [...after].filter(([p, v]) => beforeCgherd.get(p) !== v).map(([p]) => p);
  const policy = parseAptPolicy(await ok(`apt-cache policy ${changed.join(' ')}`));
  const sorted = classifyChanges(beforeCgherd, after, policy, new Map([['cgherd', VERSION]]));
  assert.equal(sorted.foreign.map(describeForeign), []);
  assert.is(sorted.localBuilds, 1, 'cgherd itself is the one local package');
  assert.ok(sorted.fromBookworm >= 3, `only ${sorted.fromBookworm} packages from bookworm`);
  const node = after.get('nodejs:amd64') ?? '';
  assert.match(node, /^18\.(19|[2-9]\d)\./, `nodejs ${node}`);
  assert.match(await ok('/usr/bin/node --version'), /^v18\./);
  packageFiles = (await ok('dpkg -L cgherd')).split('\n').filter((l) => l !== '');
});

test('cgherd --version, on Debian 12 crun', async () => {
  const v = await ok('cgherd --version');
  assert.match(v, `cgherd version ${VERSION}`);
  assert.match(v, 'crun version 1.8.1');
});

test('cgherd doctor runs on nodejs 18 and names what this host lacks', async () => {
  const r = await inRoot('cgherd doctor --json');
  // 1: a problem was found (Debian's crun 1.8.1 has no CRIU); not a crash, not a usage error.
  assert.is(r.code, 1, r.stderr + r.stdout);
  const report = JSON.parse(r.stdout) as {
    criu: { version: string };
    runtime: { path: string; identity: { version: string } };
    findings: { level: string; summary: string }[];
  };
  assert.is(report.criu.version, '3.17.1');
  assert.is(report.runtime.path, '/usr/bin/crun');
  assert.is(report.runtime.identity.version, '1.8.1');
  const summaries = report.findings.map((f) => f.summary);
  assert.ok(
    summaries.some((s) => /crun 1\.8\.1 has no CRIU/.test(s)),
    summaries.join('\n'),
  );
  assert.not.match(r.stderr, /at .*\.js:\d+/, 'a stack trace');
});

test('cgherd validate: a bundle from crun spec passes; a broken one names the field', async () => {
  const good = await inRoot(
    'mkdir -p /tmp/b/rootfs && cd /tmp/b && crun spec && cgherd validate /tmp/b',
  );
  assert.is(good.code, 0, good.stderr + good.stdout);
  assert.match(good.stdout, '/tmp/b/config.json: valid');
  const bad = await inRoot(
    'cd /tmp/b && sed -i \'s/"ociVersion": "[^"]*"/"ociVersion": 1/\' config.json && cgherd validate /tmp/b',
  );
  assert.is(bad.code, 1, bad.stderr + bad.stdout);
  assert.match(bad.stdout + bad.stderr, '/ociVersion');
});

test('cgherd install podman: Podman 4.3.1 takes the drop-in (control: not before)', async () => {
  const probe = "podman --runtime cgherd info --format '{{.Host.OCIRuntime.Path}}'";
  const unknown = await inRoot(probe);
  assert.is.not(unknown.code, 0, 'Podman knew cgherd before the install');
  const out = await ok('cgherd install podman');
  assert.match(out, 'created /etc/containers/containers.conf.d/50-cgherd.conf');
  assert.is((await ok(probe)).trim(), '/usr/bin/cgherd');
  assert.is.not(await ok(SNAPSHOT_ETC_CONTAINERS), etcBefore, 'the snapshot cannot see a drop-in');
});

test('apt-get purge cgherd takes back every file and the drop-in; containers.conf is untouched', async () => {
  const purge = await ok('apt-get purge -y cgherd 2>&1', 300_000);
  assert.match(purge, 'removed /etc/containers/containers.conf.d/50-cgherd.conf');
  assert.is(await ok(SNAPSHOT_ETC_CONTAINERS), etcBefore);
  assert.is(await ok('cat /etc/containers/containers.conf'), USER_CONF);
  const left = await ok(
    // Every file of the package, and every directory of its own (shared ones like /usr/bin stay).
    `for f in ${packageFiles.join(' ')}; do ` +
      'if [ -e "$f" ] || [ -L "$f" ]; then ' +
      'case $f in *cgherd*) echo "$f" ;; *) [ -d "$f" ] || echo "$f" ;; esac; fi; done; ' +
      'ls -d /etc/cgherd 2>/dev/null; true',
  );
  assert.is(left.trim(), '', `left behind: ${left}`);
  const status = await inRoot('dpkg -s cgherd');
  assert.is.not(status.code, 0, `dpkg still knows cgherd: ${status.stdout}`);
  // What cgherd pulled in goes with autoremove. apt keeps an automatic package that
  // something installed before still recommends (ca-certificates, openssl here): each one
  // left must be one that apt would remove if Recommends did not count.
  await ok('apt-get autoremove --purge -y -qq >/dev/null', 300_000);
  const after = await installed();
  const extra = [...after.keys()]
    .filter((p) => !beforeCgherd.has(p))
    .map((p) => p.replace(/:.*/, ''));
  const onlyRecommended = await ok(
    'apt-get -s autoremove -o APT::AutoRemove::RecommendsImportant=false | sed -n "s/^Remv \\([^ :]*\\).*/\\1/p"',
  );
  const removable = new Set(onlyRecommended.split('\n'));
  assert.equal(
    extra.filter((p) => !removable.has(p)),
    [],
    `kept, and not only for a Recommends: ${extra.join(' ')}`,
  );
  for (const [p, v] of beforeCgherd) assert.is(after.get(p), v, `${p} changed or went`);
});

test.run();
