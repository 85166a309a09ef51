// Issue 18, item 2: `cgherd validate` quotes the file author's keys (in JSON pointers) and
// found values. A key holding a C1 CSI (U+009B), a bidi override (U+202E), DEL and a line
// separator (U+2028) reaches neither the text nor the --json output raw: the text shows
// visible escapes as the runtime face does, the JSON \u escapes that parse back to the
// same key. Control: the file really holds those characters, and the pointer names the key.

import { readFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CGHERD_BIN, runCommand } from '../lib/bed/bed.js';

const dir = mkdtempSync('/tmp/cgt-val-esc-');
const file = join(dir, 'config.json');
const KEY = 'a\u009b31mX\u202eY\u007fZ\u2028W';
writeFileSync(file, JSON.stringify({ ociVersion: '1.0.0', annotations: { [KEY]: 5 } }));
// Characters that drive a terminal or reorder what it shows (C0 is JSON's own escape).
const RAW = /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

test.after(() => rmSync(dir, { recursive: true, force: true }));

test('control: the file holds the raw characters', () => {
  assert.ok(RAW.test(readFileSync(file, 'utf8')));
});

test('text: escaped, the key still named', async () => {
  const r = await runCommand(CGHERD_BIN, ['validate', file]);
  assert.is(r.code, 1, r.stderr);
  assert.not.ok(RAW.test(r.stdout), `raw control in: ${JSON.stringify(r.stdout)}`);
  assert.ok(
    r.stdout.includes('/annotations/a\\x9b31mX\\u202eY\\x7fZ\\u2028W: expected string'),
    r.stdout,
  );
});

test('--json: escaped, and it parses back to the same pointer', async () => {
  const r = await runCommand(CGHERD_BIN, ['validate', '--json', file]);
  assert.is(r.code, 1, r.stderr);
  assert.not.ok(RAW.test(r.stdout), `raw control in: ${JSON.stringify(r.stdout)}`);
  const report = JSON.parse(r.stdout) as { issues: { pointer: string }[] };
  assert.is(report.issues[0]?.pointer, `/annotations/${KEY}`);
});

test.run();
