// The packages under test, build/cgherd_<version>_all.deb and the .rpm: built by
// packaging/build.sh when missing or older than anything they are made of, else reused,
// so that several packaging tests in one run build once.

import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as assert from 'uvu/assert';
import { REPO_ROOT, runCommand } from './bed.js';

export const VERSION = (
  JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }
).version;
export const DEB = join(REPO_ROOT, 'build', `cgherd_${VERSION}_all.deb`);
export const RPM = join(REPO_ROOT, 'build', `cgherd-${VERSION}-1.noarch.rpm`);

function newestMtime(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(st.mtimeMs, ...readdirSync(path).map((n) => newestMtime(join(path, n))));
}

/** Are build/*.deb and *.rpm newer than everything they are made of? CGHERD_REBUILD=1 says no. */
function packagesCurrent(): boolean {
  if (process.env.CGHERD_REBUILD === '1' || !existsSync(DEB) || !existsSync(RPM)) return false;
  const built = Math.min(statSync(DEB).mtimeMs, statSync(RPM).mtimeMs);
  const inputs = ['dist/src', 'dist/hooks', 'bin', 'schemas', 'packaging', 'package.json'];
  return inputs.every(
    (p) => !existsSync(join(REPO_ROOT, p)) || newestMtime(join(REPO_ROOT, p)) < built,
  );
}

/** Builds the packages unless they are current; fails the test when the build fails. */
export async function ensurePackages(): Promise<void> {
  if (packagesCurrent()) return;
  const r = await runCommand('/bin/bash', [join(REPO_ROOT, 'packaging/build.sh')], {
    cwd: REPO_ROOT,
    timeoutMs: 600_000,
  });
  assert.is(r.code, 0, `packaging/build.sh failed: ${r.stderr}${r.stdout}`);
}
