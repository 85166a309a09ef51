// The amendments table is what the validators do: every example of every row gets the
// verdict the row promises, on both validators, with the pinned schema files untouched.
// Controls: the same configs without the example pass, and an unamended value of the
// same field is still refused.

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  AMENDMENTS,
  explainLines,
  pointerMatches,
  refuseRowFor,
} from '../../src/validate/amendments.js';
import { ociConfigDataPasses, validateOciConfigData } from '../../src/validate/oci-config.js';

const REPO = fileURLToPath(new URL('../../..', import.meta.url));
const BASE = join(REPO, 'test/fixtures/oci-configs/podman-4.3.1/devices.json');
type Json = Record<string, unknown>;

/** A copy of the base config with `value` at `pointer` (`*` = 0). */
function withValue(pointer: string, value: unknown): Json {
  const config = JSON.parse(readFileSync(BASE, 'utf8')) as Json;
  const tokens = pointer
    .split('/')
    .slice(1)
    .map((t) => (t === '*' ? '0' : t));
  const last = tokens.pop() as string;
  let node = config;
  for (const t of tokens) node = (node[t] ??= {}) as Json;
  node[last] = value;
  return config;
}

test('control: the base config passes', () => {
  const config = JSON.parse(readFileSync(BASE, 'utf8')) as Json;
  assert.ok(ociConfigDataPasses(config));
  assert.equal(validateOciConfigData(config).issues, []);
});

for (const row of AMENDMENTS.amendments) {
  for (const value of row.examples?.accepted ?? []) {
    test(`${row.id}: ${row.configPointer} = ${JSON.stringify(value)} is accepted`, () => {
      const config = withValue(row.examples?.at ?? row.configPointer, value);
      assert.ok(ociConfigDataPasses(config));
      assert.equal(validateOciConfigData(config).issues, []);
    });
  }
  for (const value of row.examples?.refused ?? []) {
    test(`${row.id}: ${row.configPointer} = ${JSON.stringify(value)} is refused there`, () => {
      const config = withValue(row.examples?.at ?? row.configPointer, value);
      assert.not.ok(ociConfigDataPasses(config));
      const issues = validateOciConfigData(config).issues;
      assert.ok(issues.length > 0);
      for (const issue of issues) assert.ok(pointerMatches(row.configPointer, issue.pointer));
    });
  }
}

test('every relax row has examples that only the amended schema accepts', () => {
  for (const row of AMENDMENTS.amendments.filter((a) => a.kind === 'relax')) {
    assert.ok((row.examples?.accepted ?? []).length > 0, row.id);
    assert.ok(row.patch, row.id);
  }
});

test('rprivate, the case of issue 14: accepted; an unknown value: refused with its row', () => {
  assert.ok(ociConfigDataPasses(withValue('/linux/rootfsPropagation', 'rprivate')));
  const issues = validateOciConfigData(withValue('/linux/rootfsPropagation', 'bogus')).issues;
  assert.is(issues[0]?.pointer, '/linux/rootfsPropagation');
  assert.is(refuseRowFor(issues[0] as { pointer: string })?.id, 'rootfs-propagation-unknown');
  assert.is(refuseRowFor({ pointer: '/process/user/uid', keyword: 'minimum' }), undefined);
});

test('every row names a source: file and function', () => {
  for (const row of AMENDMENTS.amendments) {
    assert.ok(row.sources.length > 0, row.id);
    for (const s of row.sources) assert.ok(s.file !== '' && s.function !== '', row.id);
  }
});

test('the pinned schema files are byte-identical to their sums', () => {
  const dir = join(REPO, 'schemas/runtime-spec');
  const sums = readFileSync(join(dir, 'SHA256SUMS'), 'utf8').trim().split('\n');
  assert.ok(sums.length >= 14);
  for (const line of sums) {
    const [sum, name] = line.split(/\s+\*?/);
    const actual = createHash('sha256')
      .update(readFileSync(join(dir, name as string)))
      .digest('hex');
    assert.is(actual, sum, name);
  }
});

test('pointer patterns: * is one token', () => {
  assert.ok(pointerMatches('/linux/devices/*/fileMode', '/linux/devices/3/fileMode'));
  assert.not.ok(pointerMatches('/linux/devices/*/fileMode', '/linux/devices/fileMode'));
  assert.not.ok(pointerMatches('/linux/devices/*/fileMode', '/linux/devices/0/1/fileMode'));
  assert.ok(pointerMatches('/hooks/**', '/hooks/prestart/0/timeout'));
  assert.not.ok(pointerMatches('/hooks/**', '/hook'));
  assert.ok(pointerMatches('', ''));
  assert.not.ok(pointerMatches('', '/a'));
});

test('--explain text: the rule, then every row with its sources', () => {
  const text = explainLines().join('\n');
  assert.match(text, 'Rule: In enforce mode cgherd refuses only what the lower runtime');
  for (const row of AMENDMENTS.amendments) {
    assert.match(text, `${row.id} (${row.kind})`);
    for (const s of row.sources) assert.match(text, s.file);
  }
});

test.run();
