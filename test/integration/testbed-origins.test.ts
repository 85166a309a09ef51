// The test bed leaves a Debian 12 system a Debian 12 system: every package version it
// installed or changed is offered by a bookworm suite, or is one of the bed's own local
// builds (test/env/criu.sh), and the system's apt knows no trixie, sid or testing suite.
// The baseline is the dpkg list that test/env/packages.sh wrote before its first change.

import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  describeForeign,
  classifyChanges,
  parseAptPolicy,
  parseDpkgList,
  type PackageVersions,
} from '../lib/bed/apt-origin.js';
import { FIXTURES } from '../lib/bed/bed.js';

const BASELINE = '/var/lib/cgherd-testbed/dpkg-before.tsv';

function installed(): PackageVersions {
  return parseDpkgList(
    execFileSync(
      'dpkg-query',
      ['-W', '-f', '${db:Status-Abbrev}${Package}:${Architecture}\t${Version}\n'],
      {
        encoding: 'utf8',
      },
    )
      .split('\n')
      .filter((l) => l.startsWith('ii'))
      .map((l) => l.slice(3))
      .join('\n'),
  );
}

/** The bed's own .debs: package → version, read from the packages themselves. */
function localBuilds(): Map<string, string> {
  const out = new Map<string, string>();
  for (const dir of readdirSync(FIXTURES)) {
    if (!dir.startsWith('criu-')) continue;
    for (const file of readdirSync(join(FIXTURES, dir))) {
      if (!file.endsWith('.deb')) continue;
      const fields = execFileSync(
        'dpkg-deb',
        ['-f', join(FIXTURES, dir, file), 'Package', 'Version'],
        {
          encoding: 'utf8',
        },
      );
      const pkg = /^Package: (\S+)/m.exec(fields)?.[1];
      const version = /^Version: (\S+)/m.exec(fields)?.[1];
      if (pkg !== undefined && version !== undefined) out.set(pkg, version);
    }
  }
  return out;
}

test('every package the test bed changed comes from bookworm or is built here', () => {
  assert.ok(
    existsSync(BASELINE),
    `${BASELINE} missing: test/env/packages.sh writes it before its first install`,
  );
  const before = parseDpkgList(readFileSync(BASELINE, 'utf8'));
  const after = installed();
  const changed = [...after].filter(([pkg, v]) => before.get(pkg) !== v).map(([pkg]) => pkg);
  const policy =
    changed.length === 0
      ? new Map()
      : parseAptPolicy(
          execFileSync('apt-cache', ['policy', ...changed], {
            encoding: 'utf8',
            maxBuffer: 64 << 20,
          }),
        );
  const local = localBuilds();
  assert.ok(
    local.has('criu') && local.has('libcriu2'),
    `the local CRIU builds are missing under ${FIXTURES}`,
  );
  const sorted = classifyChanges(before, after, policy, local);
  console.log(
    `  packages changed since the baseline: ${changed.length} (bookworm ${sorted.fromBookworm}, ` +
      `local builds ${sorted.localBuilds}, other ${sorted.foreign.length})`,
  );
  assert.equal(sorted.foreign.map(describeForeign), [], 'packages from outside Debian 12');
});

test("the system's apt has no trixie, sid or testing suite", () => {
  const files = [
    '/etc/apt/sources.list',
    ...readdirSync('/etc/apt/sources.list.d').map((f) => join('/etc/apt/sources.list.d', f)),
  ];
  const offending: string[] = [];
  for (const file of files) {
    if (!existsSync(file) || !/(\.list|\.sources)$/.test(file)) continue;
    const text = readFileSync(file, 'utf8');
    const debLines = file.endsWith('.list')
      ? text
          .split('\n')
          .filter(
            (l) => /^\s*deb\s/.test(l) && /\s(trixie|sid|testing|unstable)[\s/-]/.test(`${l} `),
          )
      : text
          .split(/\n\s*\n/)
          .filter(
            (stanza) =>
              /^Types:.*\bdeb\b/im.test(stanza) &&
              /^Suites:.*\b(trixie|sid|testing|unstable)\b/im.test(stanza),
          )
          .filter((stanza) => !/^Enabled:\s*no/im.test(stanza));
    for (const l of debLines) offending.push(`${file}: ${l.trim().split('\n').join(' | ')}`);
  }
  assert.equal(offending, []);
});

test.run();
