// The origin check's parsing and rule: only bookworm suites or the bed's own builds pass.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  describeForeign,
  classifyChanges,
  isBookwormSuite,
  parseAptPolicy,
  parseDpkgList,
} from '../lib/bed/apt-origin.js';

const POLICY = `libc6:amd64:
  Installed: 2.41-12
  Candidate: 2.41-12
  Version table:
 *** 2.41-12 100
        100 /var/lib/dpkg/status
     2.36-9+deb12u14 500
        500 http://deb.debian.org/debian bookworm/main amd64 Packages
     2.36-9+deb12u7 500
        500 http://deb.debian.org/debian-security bookworm-security/main amd64 Packages
podman:amd64:
  Installed: 4.3.1+ds1-8+deb12u1+b3
  Candidate: 4.3.1+ds1-8+deb12u1+b3
  Version table:
 *** 4.3.1+ds1-8+deb12u1+b3 500
        500 http://deb.debian.org/debian bookworm/main amd64 Packages
        100 /var/lib/dpkg/status
criu:amd64:
  Installed: 4.1.1-0~bookworm1+cgherd
  Candidate: 4.1.1-0~bookworm1+cgherd
  Version table:
 *** 4.1.1-0~bookworm1+cgherd 100
        100 /var/lib/dpkg/status
     3.17.1-2+deb12u2 500
        500 http://deb.debian.org/debian bookworm/main amd64 Packages
systemd:amd64:
  Installed: 257.9-1~deb13u1
  Candidate: 257.9-1~deb13u1
  Version table:
 *** 257.9-1~deb13u1 100
        500 http://deb.debian.org/debian trixie/main amd64 Packages
        100 /var/lib/dpkg/status
`;

test('parseAptPolicy: versions and the suites that offer them', () => {
  const t = parseAptPolicy(POLICY);
  assert.equal(t.get('libc6:amd64')?.get('2.36-9+deb12u14'), ['bookworm/main']);
  assert.equal(t.get('libc6:amd64')?.get('2.41-12'), ['/var/lib/dpkg/status']);
  assert.equal(t.get('podman:amd64')?.get('4.3.1+ds1-8+deb12u1+b3'), [
    'bookworm/main',
    '/var/lib/dpkg/status',
  ]);
  assert.equal(t.get('systemd:amd64')?.get('257.9-1~deb13u1'), [
    'trixie/main',
    '/var/lib/dpkg/status',
  ]);
});

test('isBookwormSuite: bookworm, -updates and -security; not trixie, sid or backports', () => {
  for (const s of ['bookworm/main', 'bookworm-updates/main', 'bookworm-security/main']) {
    assert.ok(isBookwormSuite(s), s);
  }
  for (const s of ['trixie/main', 'sid/main', 'bookworm-backports/main', '/var/lib/dpkg/status']) {
    assert.not.ok(isBookwormSuite(s), s);
  }
});

test('classifyChanges: names upgrades to non-bookworm versions, counts bookworm and local builds', () => {
  const before = parseDpkgList(
    'libc6:amd64\t2.36-9+deb12u14\nsystemd:amd64\t252.38-1~deb12u1\nnodejs:amd64\t20.1\n',
  );
  const after = parseDpkgList(
    'libc6:amd64\t2.41-12\nsystemd:amd64\t257.9-1~deb13u1\npodman:amd64\t4.3.1+ds1-8+deb12u1+b3\n' +
      'criu:amd64\t4.1.1-0~bookworm1+cgherd\nnodejs:amd64\t20.1\n',
  );
  const local = new Map([['criu', '4.1.1-0~bookworm1+cgherd']]);
  const sorted = classifyChanges(before, after, parseAptPolicy(POLICY), local);
  assert.is(sorted.fromBookworm, 1);
  assert.is(sorted.localBuilds, 1);
  const found = sorted.foreign;
  assert.equal(
    found.map((f) => f.pkg),
    ['libc6:amd64', 'systemd:amd64'],
  );
  assert.is(
    describeForeign(found[1]!),
    'systemd:amd64 252.38-1~deb12u1 → 257.9-1~deb13u1, from trixie/main',
  );
  assert.match(describeForeign(found[0]!), /from no suite apt knows/);
});

test('classifyChanges: a local build with another version is not excused', () => {
  const after = parseDpkgList('criu:amd64\t4.1.1-1\n');
  const found = classifyChanges(
    new Map(),
    after,
    new Map(),
    new Map([['criu', '4.1.1-0~bookworm1+cgherd']]),
  ).foreign;
  assert.is(found.length, 1);
});

test.run();
