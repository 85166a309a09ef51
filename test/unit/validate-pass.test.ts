// The pass validator (allErrors off, used first on the runtime path) and the full one
// (allErrors, used by `cgherd validate` and for refusal messages) must give the same
// verdict on every config: every Podman fixture, every broken config of
// validate-broken.test.ts, and thousands of single-node mutations of the fixtures. The
// runtime path's outcome must be exactly the full validator's.

import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SOURCE, SOURCE_SHA256 } from '../../src/validate/generated/oci-config-full.cjs';
import { SOURCE_SHA256 as PASS_SHA256 } from '../../src/validate/generated/oci-config-pass.js';
import { loadCompiledFile, loadCompiledScript } from '../../src/trust/compiled-script.js';
import {
  checkOciConfigFile,
  ociConfigDataPasses,
  validateOciConfigData,
  validateOciConfigFile,
} from '../../src/validate/oci-config.js';
import {
  BROKEN,
  hugeEnv,
  withIntegerLimits,
  type Json,
} from '../lib/validate/validate-broken-cases.js';

type Validator = (data: unknown) => boolean;

const REPO = fileURLToPath(new URL('../../..', import.meta.url));
const PODMAN = join(REPO, 'test/fixtures/oci-configs/podman-4.3.1');
const FIXTURES = readdirSync(PODMAN)
  .filter((name) => name.endsWith('.json'))
  .sort();
const textOf = (name: string): string => readFileSync(join(PODMAN, name), 'utf8');
const BASE = textOf('default.json');
const generated = (name: string): string =>
  fileURLToPath(new URL(`../../src/validate/generated/${name}`, import.meta.url));

// Loaded here from their files, so that a pass validator silently replaced by the full
// one (the fallback when its source is missing) cannot make this test pass.
const full = loadCompiledScript(
  SOURCE,
  generated('oci-config-full.cjs'),
  generated(`oci-config-full.${SOURCE_SHA256.slice(0, 16)}.v8cache`),
) as Validator;
const passStem = `oci-config-pass.${PASS_SHA256.slice(0, 16)}`;
const pass = loadCompiledFile(
  generated(`${passStem}.source.js`),
  generated(`${passStem}.v8cache`),
) as Validator | undefined;

const dir = mkdtempSync(join(tmpdir(), 'cgt-val-pass-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

/** The verdicts, in order: pass, full, and both as the runtime and the command see them. */
function verdicts(data: unknown): boolean[] {
  return [
    pass?.(data) ?? false,
    full(data),
    ociConfigDataPasses(data),
    validateOciConfigData(data).issues.length === 0,
  ];
}

function assertAgree(data: unknown, label: string, expected?: boolean): void {
  const v = verdicts(data);
  assert.ok(
    v.every((x) => x === v[0]),
    `${label}: pass, full, runtime, command = ${v.join(', ')}`,
  );
  if (expected !== undefined) assert.is(v[0], expected, label);
}

test('the pass validator is its own code, not the full one', () => {
  assert.type(pass, 'function');
  assert.is.not(PASS_SHA256, SOURCE_SHA256);
});

test('every Podman fixture: both accept', () => {
  assert.ok(FIXTURES.length >= 40, `only ${FIXTURES.length} fixtures`);
  for (const name of FIXTURES) assertAgree(JSON.parse(textOf(name)), name, true);
});

test('the broken configs of validate-broken: both refuse', () => {
  for (const [label, edit] of Object.entries(BROKEN)) {
    const config = JSON.parse(BASE) as Json;
    edit(config);
    assertAgree(config, label, false);
  }
});

test('the broken edits applied to every fixture that has the edited field: both agree', () => {
  let applied = 0;
  for (const name of FIXTURES) {
    for (const [label, edit] of Object.entries(BROKEN)) {
      const config = JSON.parse(textOf(name)) as Json;
      try {
        edit(config);
      } catch {
        continue; // The fixture lacks the field (no seccomp, fewer namespaces, ...).
      }
      applied++;
      assertAgree(config, `${name}: ${label}`);
    }
  }
  assert.ok(applied > FIXTURES.length * 8, `only ${applied} edits applied`);
});

test('integer limits and 10 MB configs: both agree', () => {
  assertAgree(JSON.parse(withIntegerLimits(BASE)), 'uint64/int64 limits', true);
  assertAgree(hugeEnv(JSON.parse(BASE) as Json, true), '10 MB valid', true);
  assertAgree(hugeEnv(JSON.parse(BASE) as Json, false), '10 MB, a million errors', false);
});

test('the runtime path gives exactly the outcome of cgherd validate', () => {
  const files = [
    join(PODMAN, 'default.json'),
    join(PODMAN, 'privileged.json'),
    join(dir, 'missing.json'),
  ];
  for (const [label, edit] of Object.entries(BROKEN)) {
    const config = JSON.parse(BASE) as Json;
    edit(config);
    files.push(join(dir, `${label}.json`));
    writeFileSync(files.at(-1) ?? '', JSON.stringify(config, null, 2));
  }
  files.push(join(dir, 'syntax.json'));
  writeFileSync(files.at(-1) ?? '', '{"ociVersion": ');
  for (const file of files) assert.equal(checkOciConfigFile(file), validateOciConfigFile(file));
});

const REPLACEMENTS: readonly unknown[] = [
  null,
  true,
  0,
  -1,
  1.5,
  2 ** 64,
  '',
  'x',
  'RLIMIT_CORE',
  [],
  ['x'],
  {},
  { type: 'x' },
];

/**
 * Applies one single-node change at a time, in place, and undoes it on the next step:
 * each value replaced by values of every JSON type, each property deleted, an unknown
 * property added to each object, each array emptied, shortened and lengthened.
 * Nodes at a pointer that an earlier fixture already had are skipped (the fixtures share
 * most of their content).
 */
function* mutations(doc: Json, seen: Set<string>): Generator<string> {
  type Node = Json | unknown[];
  const walk = function* (node: Node, pointer: string): Generator<string> {
    const isArray = Array.isArray(node);
    const keys = isArray ? node.map((_, i) => i) : Object.keys(node);
    for (const key of keys) {
      const at = `${pointer}/${key}`;
      const slots = node as Record<string | number, unknown>;
      const old = slots[key];
      if (old !== null && typeof old === 'object') yield* walk(old as Node, at);
      if (seen.has(at)) continue;
      seen.add(at);
      for (const value of REPLACEMENTS) {
        slots[key] = structuredClone(value);
        yield `${at} = ${JSON.stringify(value)}`;
      }
      slots[key] = old;
      if (!isArray) {
        delete slots[key];
        yield `delete ${at}`;
        slots[key] = old;
      }
    }
    if (isArray) {
      const items = [...node];
      node.length = 0;
      yield `${pointer} = []`;
      node.push(...items.slice(1));
      if (items.length > 0) yield `${pointer} without its first item`;
      node.length = 0;
      node.push(...items, structuredClone(items[0] ?? 'x'));
      yield `${pointer} with its first item twice`;
      node.length = 0;
      node.push(...items, 'x', 7);
      yield `${pointer} with "x" and 7 appended`;
      node.length = 0;
      node.push(...items);
    } else {
      node.cgtUnknown = 1;
      yield `${pointer}/cgtUnknown added`;
      delete node.cgtUnknown;
    }
  };
  yield* walk(doc, '');
}

test('single-node mutations of every fixture: both agree, and both verdicts occur', () => {
  const seen = new Set<string>();
  const disagreements: string[] = [];
  let valid = 0;
  let invalid = 0;
  for (const name of FIXTURES) {
    const doc = JSON.parse(textOf(name)) as Json;
    for (const label of mutations(doc, seen)) {
      const v = verdicts(doc);
      if (!v.every((x) => x === v[0])) disagreements.push(`${name}: ${label}: ${v.join(', ')}`);
      if (v[0]) valid++;
      else invalid++;
    }
    // The undo left the fixture as it was.
    assert.equal(doc, JSON.parse(textOf(name)), `${name} after its mutations`);
  }
  assert.equal(disagreements.slice(0, 10), [], `${disagreements.length} disagreements`);
  // Not vacuous: thousands of configs each way.
  assert.ok(valid > 2000 && invalid > 5000, `valid ${valid}, invalid ${invalid}`);
  console.log(`  mutations: ${valid} valid, ${invalid} invalid, all agreed`);
});

test.run();
