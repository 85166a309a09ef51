// uvu swallows an exception thrown in `test.before` (its runner returns from `finally`):
// the control shows the reason lost; test/lib/bed/before.ts prints it. Both run a tiny uvu
// file in a child Node, as the test runner does.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const UVU = fileURLToPath(new URL('../../../node_modules/uvu/dist/index.mjs', import.meta.url));
const BEFORE = fileURLToPath(new URL('../lib/bed/before.js', import.meta.url));
const REASON = 'the fixture is missing: reason-7f3a';
const dir = mkdtempSync(join(tmpdir(), 'cgt-before-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

function runFile(name: string, setUp: string): { out: string; status: number | null } {
  const file = join(dir, name);
  writeFileSync(
    file,
    `import { test } from ${JSON.stringify(UVU)};\n` +
      `import { before } from ${JSON.stringify(BEFORE)};\n` +
      `${setUp}\n` +
      "test('a test', () => {});\n" +
      'test.run();\n',
  );
  const r = spawnSync(process.execPath, [file], { encoding: 'utf8', env: { FORCE_COLOR: '0' } });
  return { out: `${r.stdout}${r.stderr}`, status: r.status };
}

const THROW = `() => { throw new Error(${JSON.stringify(REASON)}); }`;

test('control: a plain test.before loses the reason', () => {
  const r = runFile('plain.mjs', `void before;\ntest.before(${THROW});`);
  assert.match(r.out, /Passed:\s+0/, r.out);
  assert.not.match(r.out, REASON, 'uvu printed the reason after all: the wrapper is not needed');
});

test('before(): the reason is printed, and no test passes', () => {
  const r = runFile('wrapped.mjs', `before(test, ${THROW});`);
  assert.match(r.out, /Passed:\s+0/, r.out);
  assert.match(r.out, 'test.before failed');
  assert.match(r.out, REASON);
});

test('before(): a set-up that works changes nothing', () => {
  const r = runFile('fine.mjs', 'before(test, async () => {});');
  assert.match(r.out, /Passed:\s+1/, r.out);
  assert.is(r.status, 0);
});

test.run();
