// Broken configs are refused with the right JSON pointer and an expected/found message;
// unusable files (missing, empty, a directory, not JSON) with a clear reason. Each case
// starts from a config Podman generated, which passes (the control).

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { validateOciConfigFile, type ValidationOutcome } from '../../src/validate/oci-config.js';
import {
  BROKEN,
  hugeEnv,
  withIntegerLimits,
  type Edit,
  type Json,
} from '../lib/validate/validate-broken-cases.js';

const REPO = fileURLToPath(new URL('../../..', import.meta.url));
const BASE = readFileSync(
  join(REPO, 'test/fixtures/oci-configs/podman-4.3.1/default.json'),
  'utf8',
);
const dir = mkdtempSync(join(tmpdir(), 'cgt-val-unit-'));
let n = 0;

function base(): Json {
  return JSON.parse(BASE) as Json;
}

function writeText(text: string): string {
  const path = join(dir, `config-${++n}.json`);
  writeFileSync(path, text);
  return path;
}

function check(edit: Edit): ValidationOutcome {
  const config = base();
  edit(config);
  return validateOciConfigFile(writeText(JSON.stringify(config, null, 2)));
}

function issueAt(outcome: ValidationOutcome, pointer: string): string {
  assert.not.ok(outcome.ok, 'expected the config to be refused');
  if (outcome.ok) return '';
  assert.is(outcome.kind, 'schema');
  const issue = outcome.issues.find((i) => i.pointer === pointer);
  assert.ok(issue, `no issue at ${pointer}: ${JSON.stringify(outcome.issues)}`);
  return issue?.message ?? '';
}

test.after(() => rmSync(dir, { recursive: true, force: true }));

test('control: the unedited Podman config is accepted', () => {
  assert.ok(check(() => {}).ok);
});

test('wrong type: process.user.uid as a string', () => {
  const message = issueAt(check(BROKEN.uidAsString), '/process/user/uid');
  assert.is(message, 'expected integer, found string "0"');
});

test('wrong type: process.args as a string', () => {
  const message = issueAt(check(BROKEN.argsAsString), '/process/args');
  assert.is(message, 'expected array, found string "sleep 600"');
});

test('wrong type: a mount destination as a number', () => {
  const outcome = check(BROKEN.mountDestinationAsNumber);
  assert.is(issueAt(outcome, '/mounts/0/destination'), 'expected string, found number 5');
});

test('missing required: ociVersion', () => {
  const message = issueAt(check(BROKEN.noOciVersion), '/ociVersion');
  assert.is(message, 'expected required property "ociVersion", found nothing');
});

test('missing required: root.path', () => {
  const message = issueAt(check(BROKEN.noRootPath), '/root/path');
  assert.match(message, 'required property "path"');
});

test('missing required: process.cwd', () => {
  issueAt(check(BROKEN.noProcessCwd), '/process/cwd');
});

test('bad enum: a namespace type', () => {
  const outcome = check(BROKEN.badNamespaceType);
  const message = issueAt(outcome, '/linux/namespaces/1/type');
  assert.match(message, /^expected one of "mount", "pid", .*found string "bogus"$/);
  // The anyOf wrapping namespaces adds no second, vaguer issue for the same entry.
  assert.is(outcome.ok ? 0 : outcome.issues.length, 1);
});

test('bad enum: seccomp default action', () => {
  const outcome = check(BROKEN.badSeccompAction);
  assert.match(issueAt(outcome, '/linux/seccomp/defaultAction'), 'found string "SCMP_ACT_MAYBE"');
});

test('pattern: an rlimit type', () => {
  const outcome = check(BROKEN.badRlimitType);
  assert.match(issueAt(outcome, '/process/rlimits/0/type'), 'matching ^RLIMIT_[A-Z]+$');
});

test('out of range: a negative uid', () => {
  const outcome = check(BROKEN.negativeUid);
  assert.is(issueAt(outcome, '/process/user/uid'), 'expected a number >= 0, found number -1');
});

test('pointer escaping: an annotation key with / and ~', () => {
  const outcome = check(BROKEN.annotationNotString);
  assert.match(issueAt(outcome, '/annotations/a~1b~0c'), 'expected string, found number 7');
});

test('every error is listed, not only the first', () => {
  const outcome = check(BROKEN.twoErrors);
  issueAt(outcome, '/ociVersion');
  issueAt(outcome, '/process/user/uid');
});

test('uint64 and int64 limits are accepted', () => {
  const text = withIntegerLimits(BASE);
  assert.match(text, '18446744073709551615');
  assert.match(text, '9223372036854775807');
  const path = writeText(text);
  assert.equal(validateOciConfigFile(path), { ok: true, file: path });
  // Validation never rewrites the file: the lower runtime reads the exact digits.
  assert.is(readFileSync(path, 'utf8'), text);
});

test('invalid JSON: the position is given as line and column', () => {
  const text = BASE.replace('"ociVersion"', '"ociVersion",,');
  const lines = text.split('\n');
  const line = lines.findIndex((l) => l.includes(',,')) + 1;
  const column = (lines[line - 1] ?? '').indexOf(',,') + 1;
  const outcome = validateOciConfigFile(writeText(text));
  assert.not.ok(outcome.ok);
  if (outcome.ok) return;
  assert.is(outcome.kind, 'syntax');
  assert.match(outcome.issues[0]?.message ?? '', `line ${line}, column ${column}`);
});

test('invalid JSON: truncated file reports the end', () => {
  const text = BASE.trimEnd().slice(0, -2); // drops the two closing braces
  const outcome = validateOciConfigFile(writeText(text));
  assert.not.ok(outcome.ok);
  if (outcome.ok) return;
  assert.is(outcome.kind, 'syntax');
  assert.match(outcome.issues[0]?.message ?? '', 'unexpected end of input');
});

test('missing file', () => {
  const path = join(dir, 'nope', 'config.json');
  const outcome = validateOciConfigFile(path);
  assert.not.ok(outcome.ok);
  if (outcome.ok) return;
  assert.is(outcome.kind, 'unreadable');
  assert.is(outcome.issues[0]?.message, `cannot read ${path}: no such file`);
});

test('empty file', () => {
  const path = writeText('');
  const outcome = validateOciConfigFile(path);
  assert.not.ok(outcome.ok);
  if (outcome.ok) return;
  assert.is(outcome.kind, 'syntax');
  assert.is(outcome.issues[0]?.message, `${path} is empty`);
});

test('a directory in place of the file', () => {
  const path = join(dir, 'is-a-dir.json');
  mkdirSync(path);
  const outcome = validateOciConfigFile(path);
  assert.not.ok(outcome.ok);
  if (outcome.ok) return;
  assert.is(outcome.kind, 'unreadable');
  assert.match(outcome.issues[0]?.message ?? '', 'is a directory');
});

test('a 10 MB config finishes with a result (valid)', () => {
  const text = JSON.stringify(hugeEnv(base(), true));
  assert.ok(text.length > 10 * 1024 * 1024);
  assert.ok(validateOciConfigFile(writeText(text)).ok);
});

test('a 10 MB config with a million errors finishes and lists a bounded number', () => {
  const text = JSON.stringify(hugeEnv(base(), false), null, 1);
  assert.ok(text.length > 10 * 1024 * 1024);
  const outcome = validateOciConfigFile(writeText(text));
  assert.not.ok(outcome.ok);
  if (outcome.ok) return;
  assert.is(outcome.issues[0]?.pointer, '/process/env/0');
  assert.ok(outcome.issues.length <= 100);
  assert.is(outcome.issues.length + outcome.omitted, 1_000_000);
});

test.run();
