// The breakpoint switch on its own: CRIU's version, the decision (verdict × CRIU version ×
// the caller's CRIU_FAULT), the per-boot cache (parsing, boot id, binary stamp, the trust
// rules, atomic write), and the hook through the real runner with a forced cache: argv
// stays as received, only the child's environment changes. No CRIU runs here: the `criu`
// is a script in the test's directory, and a fitting cache means it is never started.

import {
  chmodSync,
  chownSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import hook from '../../hooks/criu-no-breakpoints.js';
import {
  noBreakpointSwitch,
  recordMismatch,
  type ProbeRecord,
} from '../../src/criu/breakpoint-verdict.js';
import {
  compareCriuVersions,
  criuOnPath,
  criuStamp,
  parseCriuVersion,
  predatesBreakpointCheck,
} from '../../src/criu/criu-binary.js';
import {
  DEFAULT_PROBE_CACHE,
  formatProbeRecord,
  parseProbeRecord,
  probeCachePath,
  readBootId,
  readProbeCache,
  writeProbeCache,
} from '../../src/criu/probe-cache.js';
import { runBefore } from '../../src/runtime/run-hooks.js';
import { isIntercepted } from '../../src/runtime/intercepted.js';
import { HOOKS } from '../../hooks/index.js';
import { parseArgv } from '../../src/call/argv.js';
import { testHookContext } from '../lib/call/hook-context.js';

const dir = mkdtempSync('/tmp/cgt-bp-unit-');
chmodSync(dir, 0o755);
test.after(() => rmSync(dir, { recursive: true, force: true }));

const RECORD: ProbeRecord = {
  bootId: 'boot-a',
  criuPath: '/usr/sbin/criu',
  criuStamp: '1:2:3:4',
  criuVersion: '4.1.1',
  verdict: 'missing',
  detail: 'a probe dump hung for 5 s; with CRIU_FAULT=130 it passed in 80 ms',
  ms: 5080,
  probedAt: '2026-12-06T05:00:00.000Z',
};

test('CRIU versions: parse, compare, and which predate the breakpoint check (4.2)', () => {
  assert.equal(parseCriuVersion('Version: 4.1.1\n'), [4, 1, 1]);
  assert.equal(parseCriuVersion('Version: 4.2\nGitID: v4.2\n'), [4, 2, 0]);
  assert.equal(parseCriuVersion('criu 4.1'), undefined);
  assert.ok(compareCriuVersions([3, 17, 1], [4, 0, 0]) < 0);
  assert.ok(compareCriuVersions([4, 10, 0], [4, 2, 0]) > 0);
  assert.is(compareCriuVersions([4, 2, 1], [4, 2, 1]), 0);
  assert.ok(predatesBreakpointCheck([4, 1, 1]));
  assert.ok(predatesBreakpointCheck([3, 17, 1]));
  assert.ok(predatesBreakpointCheck(undefined), 'unknown counts as old');
  assert.not.ok(predatesBreakpointCheck([4, 2, 0]));
  assert.not.ok(predatesBreakpointCheck([4, 2, 1]));
  assert.not.ok(predatesBreakpointCheck([5, 0, 0]));
});

test('the decision: verdict × CRIU version × the caller’s CRIU_FAULT', () => {
  const cases: [ProbeRecord['verdict'], string | undefined, string | undefined, boolean][] = [
    ['missing', '4.1.1', undefined, true],
    ['missing', undefined, undefined, true],
    ['missing', '3.17.1', undefined, true],
    ['missing', '4.2', undefined, false],
    ['missing', '4.2.1', undefined, false],
    ['missing', '4.1.1', '130', false],
    ['missing', '4.1.1', '0', false],
    ['missing', '4.1.1', '', false],
    ['delivered', '4.1.1', undefined, false],
    ['delivered', '4.2.1', undefined, false],
    ['dump-fails', '4.1.1', undefined, false],
  ];
  for (const [verdict, criuVersion, fault, add] of cases) {
    const d = noBreakpointSwitch({ verdict, criuVersion }, fault);
    assert.is(d.add, add, `${verdict} ${criuVersion} ${fault}: ${d.why}`);
  }
  assert.match(noBreakpointSwitch({ verdict: 'missing', criuVersion: '4.1.1' }, '7').why, 'caller');
});

test('a cached record answers only for this boot and this CRIU binary', () => {
  const key = { bootId: 'boot-a', criuPath: '/usr/sbin/criu', criuStamp: '1:2:3:4' };
  assert.is(recordMismatch(RECORD, key), undefined);
  assert.match(recordMismatch(RECORD, { ...key, bootId: 'boot-b' }) ?? '', 'another boot');
  assert.match(recordMismatch(RECORD, { ...key, criuPath: '/usr/local/sbin/criu' }) ?? '', 'about');
  assert.match(recordMismatch(RECORD, { ...key, criuStamp: '1:2:3:5' }) ?? '', 'changed');
});

test('cache text: round trip, and every corrupt form is refused with a reason', () => {
  assert.equal(parseProbeRecord(formatProbeRecord(RECORD)), RECORD);
  const noVersion: Record<string, unknown> = { ...RECORD };
  delete noVersion.criuVersion;
  assert.equal(parseProbeRecord(JSON.stringify(noVersion)), { ...RECORD, criuVersion: undefined });
  const bad: [string, string][] = [
    ['{"bootId": "x"', 'not JSON'],
    ['[]', 'not an object'],
    ['null', 'not an object'],
    [JSON.stringify({ ...RECORD, bootId: '' }), 'missing'],
    [JSON.stringify({ ...RECORD, criuStamp: 5 }), 'missing'],
    [JSON.stringify({ ...RECORD, verdict: 'maybe' }), 'not one of'],
    [JSON.stringify({ ...RECORD, criuVersion: 4.1 }), 'criuVersion'],
  ];
  for (const [text, why] of bad) {
    const r = parseProbeRecord(text);
    assert.type(r, 'string', text);
    assert.match(r as string, why);
  }
});

test('the cache path: the override when absolute, else /run/cgherd', () => {
  assert.is(probeCachePath({}), DEFAULT_PROBE_CACHE);
  assert.is(probeCachePath({ CGHERD_CRIU_PROBE_CACHE: '/x/bp.json' }), '/x/bp.json');
  assert.is(probeCachePath({ CGHERD_CRIU_PROBE_CACHE: 'bp.json' }), DEFAULT_PROBE_CACHE);
});

test('reading the cache: absent, trusted, corrupt, not root’s, writable by others, symlink', () => {
  const d = join(dir, 'read');
  mkdirSync(d, { mode: 0o755 });
  const file = join(d, 'bp.json');
  assert.equal(readProbeCache(file), { absent: true });
  assert.is(writeProbeCache(file, RECORD), undefined);
  assert.equal(readProbeCache(file), { record: RECORD });
  assert.equal(readdirSync(d), ['bp.json'], 'no temporary file left');
  writeFileSync(file, '{ half a reco');
  assert.match(String((readProbeCache(file) as { ignored: string }).ignored), 'not JSON');
  writeFileSync(file, formatProbeRecord(RECORD));
  chownSync(file, 65534, 65534);
  assert.match(String((readProbeCache(file) as { ignored: string }).ignored), 'uid 65534');
  chownSync(file, 0, 0);
  chmodSync(file, 0o666);
  assert.match(String((readProbeCache(file) as { ignored: string }).ignored), 'writable');
  chmodSync(file, 0o644);
  const link = join(d, 'link.json');
  symlinkSync(file, link);
  assert.ok('ignored' in readProbeCache(link), 'a symlink is not followed');
  chmodSync(d, 0o777);
  assert.match(String((readProbeCache(file) as { ignored: string }).ignored), 'writable');
  assert.match(writeProbeCache(file, RECORD) ?? '', 'writable', 'nothing written there');
  chmodSync(d, 0o755);
});

test('the boot id is this machine’s', () => {
  assert.match(readBootId() ?? '', /^[0-9a-f-]{36}$/);
});

// --- the hook, with a fake criu and a forced cache -------------------------------------

const bin = join(dir, 'bin');
mkdirSync(bin);
writeFileSync(join(bin, 'criu'), '#!/bin/sh\necho "Version: 4.1.1"\n');
chmodSync(join(bin, 'criu'), 0o755);
const cacheDir = join(dir, 'cache');
mkdirSync(cacheDir, { mode: 0o755 });

function forced(name: string, over: Partial<ProbeRecord>): string {
  const file = join(cacheDir, name);
  const record = {
    ...RECORD,
    bootId: readBootId() ?? '?',
    criuPath: join(bin, 'criu'),
    criuStamp: criuStamp(join(bin, 'criu')) ?? '?',
    ...over,
  };
  writeFileSync(file, formatProbeRecord(record), { mode: 0o644 });
  return file;
}

async function childEnvAfter(argv: string[], env: NodeJS.ProcessEnv) {
  const ctx = testHookContext(Object.freeze([...argv]), { env });
  const before = await runBefore([hook], ctx);
  assert.is(before.refusal, undefined);
  assert.equal([...before.call.argv], argv, 'argv as received');
  assert.is(
    ctx.childEnv.CRIU_FAULT,
    env.CRIU_FAULT,
    'the context is not mutated: the edit is returned',
  );
  return before.call.env;
}

const CHECKPOINT = ['--root', '/r', 'checkpoint', '--image-path', '/i', '--work-path', '/w', 'c1'];
const RESTORE = ['restore', '--detach', '--bundle', '/b', '--image-path', '/i', 'c1'];

test('hook: forced "missing" with CRIU 4.1.1 → CRIU_FAULT=130 on checkpoint and restore', async () => {
  const cache = forced('missing.json', { verdict: 'missing' });
  for (const argv of [CHECKPOINT, RESTORE]) {
    const env = { PATH: bin, CGHERD_CRIU_PROBE_CACHE: cache };
    const child = await childEnvAfter(argv, env);
    assert.is(child.CRIU_FAULT, '130');
    assert.is(child.PATH, bin, 'the rest of the environment as it was');
    assert.is((env as NodeJS.ProcessEnv).CRIU_FAULT, undefined, "cgherd's own env untouched");
  }
});

test('hook: the caller’s CRIU_FAULT is kept', async () => {
  const cache = forced('missing2.json', { verdict: 'missing' });
  const child = await childEnvAfter(CHECKPOINT, {
    PATH: bin,
    CGHERD_CRIU_PROBE_CACHE: cache,
    CRIU_FAULT: '7',
  });
  assert.is(child.CRIU_FAULT, '7');
});

test('hook: forced "delivered", or "missing" with CRIU 4.2.1 → nothing added', async () => {
  for (const [name, over] of [
    ['delivered.json', { verdict: 'delivered' }],
    ['new-criu.json', { verdict: 'missing', criuVersion: '4.2.1' }],
    ['fails.json', { verdict: 'dump-fails' }],
  ] as const) {
    const cache = forced(name, over);
    const child = await childEnvAfter(CHECKPOINT, { PATH: bin, CGHERD_CRIU_PROBE_CACHE: cache });
    assert.is(child.CRIU_FAULT, undefined, name);
  }
});

test('the hook wraps checkpoint and restore only; `checkpoint --help` never reaches a hook', () => {
  const entry = HOOKS.find((h) => h.name === 'criu-no-breakpoints');
  assert.equal(entry?.commands, ['checkpoint', 'restore']);
  assert.not.ok(isIntercepted(parseArgv(['checkpoint', '--help'])));
  assert.ok(isIntercepted(parseArgv(CHECKPOINT)));
});

test('hook: no criu on the runtime’s PATH → nothing added, nothing probed', async () => {
  const cache = forced('nocriu.json', { verdict: 'missing' });
  const child = await childEnvAfter(CHECKPOINT, {
    PATH: join(dir, 'empty'),
    CGHERD_CRIU_PROBE_CACHE: cache,
  });
  assert.is(child.CRIU_FAULT, undefined);
  assert.is(criuOnPath(join(dir, 'empty')), undefined);
  assert.is(criuOnPath(`relative:${bin}`), join(bin, 'criu'), 'relative entries skipped');
});

test.run();
