// lintian (bookworm's) finds no error and no warning in the .deb. The control: a bare
// package without copyright or changelog, checked by the same call, does get errors, so a
// silent lintian cannot pass this test.

import { test } from 'uvu';
import { before } from '../lib/bed/before.js';
import * as assert from 'uvu/assert';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCommand, type RunResult } from '../lib/bed/bed.js';
import { DEB, ensurePackages } from '../lib/bed/package-build.js';

const LINTIAN = '/usr/bin/lintian';
const work = mkdtempSync('/tmp/cgt-op-lintian-');

/** lintian's E: and W: lines, and the whole output for messages. */
async function lintian(deb: string): Promise<{ r: RunResult; problems: string[] }> {
  const r = await runCommand(LINTIAN, ['--no-tag-display-limit', deb], { timeoutMs: 300_000 });
  const problems = (r.stdout + r.stderr).split('\n').filter((l) => /^[EW]: /.test(l));
  return { r, problems };
}

before(test, async () => {
  assert.ok(
    existsSync(LINTIAN),
    'lintian is missing: install bookworm\'s "lintian" (test/env/packages.sh)',
  );
  await ensurePackages();
});

test.after(() => rmSync(work, { recursive: true, force: true }));

test('control: lintian reports errors in a bare package', async () => {
  const stage = join(work, 'bare');
  mkdirSync(join(stage, 'DEBIAN'), { recursive: true });
  mkdirSync(join(stage, 'usr/share/bare'), { recursive: true });
  writeFileSync(join(stage, 'usr/share/bare/data'), 'x\n');
  writeFileSync(
    join(stage, 'DEBIAN/control'),
    'Package: bare\nVersion: 1\nArchitecture: all\nMaintainer: x <x@localhost.invalid>\n' +
      'Description: bare\n a package with nothing a Debian package needs\n',
  );
  const deb = join(work, 'bare.deb');
  const built = await runCommand('/usr/bin/dpkg-deb', [
    '--root-owner-group',
    '--build',
    stage,
    deb,
  ]);
  assert.is(built.code, 0, built.stderr);
  const { r, problems } = await lintian(deb);
  assert.ok(
    problems.some((l) => l.startsWith('E: bare: ')),
    `no error for a bare package:\n${r.stdout}${r.stderr}`,
  );
});

test('the .deb: no lintian error and no warning', async () => {
  const { r, problems } = await lintian(DEB);
  assert.equal(problems, [], r.stdout + r.stderr);
  assert.is(r.code, 0, r.stdout + r.stderr);
});

test.run();
