// `cgherd validate FILE|BUNDLE [--json]` through bin/cgherd: exit 0 valid, 1 invalid,
// 6 unreadable; every error printed.

import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CGHERD_BIN, REPO_ROOT, runCommand } from '../lib/bed/bed.js';

const dir = mkdtempSync('/tmp/cgt-val-cmd-');
const bundle = join(dir, 'bundle');
const badFile = join(dir, 'bad.json');
mkdirSync(bundle);
copyFileSync(
  join(REPO_ROOT, 'test/fixtures/oci-configs/podman-4.3.1/privileged.json'),
  join(bundle, 'config.json'),
);
writeFileSync(
  badFile,
  '{"ociVersion": 1, "process": {"cwd": "/", "user": {"uid": "0", "gid": 0}}}',
);

test.after(() => rmSync(dir, { recursive: true, force: true }));

const validate = (...args: string[]) =>
  runCommand(CGHERD_BIN, ['validate', ...args], { timeoutMs: 30_000 });

test('a valid bundle: exit 0', async () => {
  const r = await validate(bundle);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, `${bundle}/config.json: valid`);
});

test('an invalid file: exit 1, every error listed', async () => {
  const r = await validate(badFile);
  assert.is(r.code, 1, r.stderr);
  assert.match(r.stdout, `${badFile}: /ociVersion: expected string, found number 1`);
  assert.match(r.stdout, `${badFile}: /process/user/uid: expected integer, found string "0"`);
});

test('--json: a report for tools', async () => {
  const r = await validate(badFile, '--json');
  assert.is(r.code, 1);
  const report = JSON.parse(r.stdout) as {
    valid: boolean;
    kind: string;
    issues: { pointer: string }[];
  };
  assert.is(report.valid, false);
  assert.is(report.kind, 'schema');
  assert.equal(
    report.issues.map((i) => i.pointer),
    ['/ociVersion', '/process/user/uid'],
  );
});

test('unreadable: exit 6', async () => {
  const r = await validate(join(dir, 'missing'));
  assert.is(r.code, 6);
  assert.match(r.stdout, 'no such file');
});

test('--explain: the rule and every amendment, with its source', async () => {
  const r = await validate('--explain');
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, 'Rule: In enforce mode cgherd refuses only what the lower runtime');
  assert.match(r.stdout, 'rootfs-propagation-recursive (relax) at /linux/rootfsPropagation');
  assert.match(
    r.stdout,
    'source:        crun 1.8.1, 1.21: src/libcrun/linux.c, libcrun_set_mounts',
  );
  const json = await validate('--explain', '--json');
  const table = JSON.parse(json.stdout) as { amendments: { id: string; sources: unknown[] }[] };
  assert.ok(table.amendments.some((a) => a.id === 'duplicate-keys'));
  assert.ok(table.amendments.every((a) => a.sources.length > 0));
});

test('--explain with a file, or neither: usage error (exit 2)', async () => {
  assert.is((await validate('--explain', bundle)).code, 2);
  assert.is((await validate()).code, 2);
});

test('a duplicate key: exit 1, the pointer named', async () => {
  const file = join(dir, 'dup.json');
  writeFileSync(file, '{"ociVersion": "1.0.0", "root": {"path": "/a", "path": "/b"}}');
  const r = await validate(file, '--json');
  assert.is(r.code, 1);
  const report = JSON.parse(r.stdout) as { kind: string; issues: { pointer: string }[] };
  assert.is(report.kind, 'duplicate');
  assert.is(report.issues[0]?.pointer, '/root/path');
});

test.run();
