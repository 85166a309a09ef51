// The test folders hold tests only, and the library holds none: the runner runs every
// *.test.js under unit/, integration/ and e2e/ and nothing under lib/, so a test file put
// in test/lib would never run (and never fail), and a helper left among the tests sits
// outside the library's folders by concern (bed/, call/, cgroups/, scenario/, podman/,
// containerd/, runner/, validate/). Read from the TypeScript sources.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const TEST_GROUPS = ['test/unit/', 'test/integration/', 'test/e2e/'];

function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...tsFiles(path));
    else if (name.endsWith('.ts')) out.push(relative(REPO, path));
  }
  return out;
}

/** The files, as repository paths, that sit in the wrong kind of folder. */
function misplaced(paths: readonly string[]): string[] {
  return paths.filter((p) => {
    const isTest = p.endsWith('.test.ts');
    if (TEST_GROUPS.some((g) => p.startsWith(g))) return !isTest;
    return p.startsWith('test/lib/') && isTest;
  });
}

test('test folders hold only tests, test/lib no test', () => {
  const paths = tsFiles(join(REPO, 'test'));
  assert.ok(
    paths.some((p) => p.startsWith('test/lib/')),
    'no test/lib file read',
  );
  assert.equal(misplaced(paths), []);
});

test('control: a helper among the tests and a test in the library are caught', () => {
  const bad = ['test/integration/herd-lib.ts', 'test/unit/cases.ts', 'test/lib/bed/x.test.ts'];
  assert.equal(misplaced(bad), bad);
  assert.equal(misplaced(['test/e2e/a.test.ts', 'test/lib/bed/bed.ts', 'test/run.ts']), []);
});

test.run();
