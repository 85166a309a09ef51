import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { parseArgv } from '../../src/call/argv.js';
import { engineCompat } from '../../hooks/engine-compat.js';
import { createMissingDirs } from '../../hooks/engine-dirs.js';

const CRUN = '/var/cache/cgherd-testbed/crun-1.8.1/crun';
const RUNC = '/usr/bin/runc';
const compat = (argv: string[], lower = CRUN): ReturnType<typeof engineCompat> =>
  engineCompat(argv, parseArgv(argv), lower);

// The argv containerd 1.6.20's runc shim passed, as logged by a wrapper (facts.md).
const SHIM_GLOBALS = ['--root', '/run/containerd/runc/default', '--log', '/b/log.json'];
const SHIM_CHECKPOINT = [
  ...SHIM_GLOBALS,
  '--log-format',
  'json',
  'checkpoint',
  '--image-path',
  '/var/lib/containerd/tmpmounts/img',
  '--work-path',
  '/b/work/criu-work',
  '--file-locks',
  '--leave-running',
  'c1',
];
const SHIM_RESTORE = [
  ...SHIM_GLOBALS,
  '--log-format',
  'json',
  'restore',
  '--image-path',
  '/b/checkpoint',
  '--work-path',
  '/b/work',
  '--detach',
  '--pid-file',
  '/b/init.pid',
  '-no-subreaper',
  '--bundle',
  '/b',
  'c2',
];

test('checkpoint: the shim work path is a directory to create, argv untouched', () => {
  const r = compat(SHIM_CHECKPOINT);
  assert.equal(r.mkdirs, ['/b/work/criu-work']);
  assert.is(r.argv, SHIM_CHECKPOINT, 'the same array: nothing rewritten');
});

test('checkpoint: --work-path=DIR form, and no work path at all', () => {
  assert.equal(compat(['checkpoint', '--work-path=/w', 'c1']).mkdirs, ['/w']);
  assert.equal(compat(['checkpoint', '--image-path', '/i', 'c1']).mkdirs, []);
  assert.equal(compat(['checkpoint', '--work-path', '', 'c1']).mkdirs, []);
});

test('checkpoint --help (Podman probe) and a work path given to another command: nothing', () => {
  const probe = ['checkpoint', '--help'];
  assert.equal(compat(probe), { argv: probe, mkdirs: [] });
  const run = ['run', '--bundle', '/b', 'c1'];
  assert.equal(compat(run), { argv: run, mkdirs: [] });
  // A global option before the command is not a checkpoint option.
  assert.equal(compat(['--root', '/r', 'state', 'c1']).mkdirs, []);
});

test('restore over crun: the single-dash -no-subreaper entry is dropped, nothing else', () => {
  const r = compat(SHIM_RESTORE);
  assert.equal(
    r.argv,
    SHIM_RESTORE.filter((a) => a !== '-no-subreaper'),
  );
  assert.is(r.argv.length, SHIM_RESTORE.length - 1);
  assert.equal(r.mkdirs, []);
});

test('restore over runc keeps -no-subreaper: runc implements it', () => {
  assert.is(compat(SHIM_RESTORE, RUNC).argv, SHIM_RESTORE);
  assert.is(compat(SHIM_RESTORE, '/opt/runc-1.1.15/runc').argv, SHIM_RESTORE);
});

test('restore: flags cgherd does not translate are never touched', () => {
  for (const argv of [
    ['restore', '--no-subreaper', '--bundle', '/b', 'c2'], // the double-dash spelling
    ['restore', '-no-pivot', '--bundle', '/b', 'c2'],
    ['restore', '-no-subreaper=true', 'c2'],
    ['restore', '--detach', '--bundle', '/b', 'c2'],
  ]) {
    assert.is(compat(argv).argv, argv, argv.join(' '));
  }
});

test('restore: -no-subreaper as a value, as a global, or after -- stays', () => {
  const asValue = ['restore', '--pid-file', '-no-subreaper', '--bundle', '/b', 'c2'];
  assert.is(compat(asValue).argv, asValue);
  const asGlobal = ['-no-subreaper', 'restore', '--bundle', '/b', 'c2'];
  assert.is(compat(asGlobal).argv, asGlobal);
  const afterDashes = ['restore', '--bundle', '/b', '--', '-no-subreaper'];
  assert.is(compat(afterDashes).argv, afterDashes);
  const globalValue = ['--log', '-no-subreaper', 'restore', 'c2'];
  assert.is(compat(globalValue).argv, globalValue);
});

test('restore: every flag occurrence goes, a value occurrence next to it stays', () => {
  const argv = ['restore', '-no-subreaper', '--pid-file', '-no-subreaper', '-no-subreaper', 'c2'];
  assert.equal(compat(argv).argv, ['restore', '--pid-file', '-no-subreaper', 'c2']);
});

test('createMissingDirs: 0700, an existing dir is fine, no parents, failures named', () => {
  const base = mkdtempSync(join(tmpdir(), 'cgherd-compat-'));
  try {
    const fresh = join(base, 'criu-work');
    const old = join(base, 'old');
    mkdirSync(old, { mode: 0o755 });
    const orphan = join(base, 'missing', 'criu-work');
    const file = join(base, 'file');
    writeFileSync(file, '');
    const failures = createMissingDirs([fresh, old, orphan, join(file, 'x')]);
    assert.is(statSync(fresh).mode & 0o777, 0o700 & ~process.umask());
    assert.is(statSync(old).mode & 0o777, 0o755 & ~process.umask(), 'existing left alone');
    assert.equal(failures, [`${orphan}: ENOENT`, `${join(file, 'x')}: ENOTDIR`]);
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});

test.run();
