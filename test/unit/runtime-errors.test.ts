// The runtime face's own errors: one clear record, non-zero exit, nothing else printed.
// And the forwarding contract that needs no container: exit status and signals.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const CGHERD = join(REPO, 'bin/cgherd');
const dir = mkdtempSync(join(tmpdir(), 'cgt-rterr-'));

function script(name: string, body: string): string {
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

function run(args: string[], env: Record<string, string>) {
  return spawnSync(CGHERD, args, { env: { CGHERD_VALIDATE: 'off', ...env }, encoding: 'utf8' });
}

function oneRecord(stderr: string, pattern: RegExp): void {
  const lines = stderr.trimEnd().split('\n');
  assert.is(lines.length, 1, `expected one record, got:\n${stderr}`);
  assert.match(lines[0] ?? '', /^cgherd: /);
  assert.match(lines[0] ?? '', pattern);
}

for (const cmd of [
  ['state', 'x'],
  ['create', '--bundle', dir, 'x'],
  ['kill', 'x', '9'],
]) {
  test(`missing lower runtime (${cmd[0]}): one record naming it`, () => {
    const r = run(cmd, { CGHERD_RUNTIME: '/nonexistent/crun' });
    assert.is(r.status, 1);
    assert.is(r.stdout, '');
    oneRecord(r.stderr, /\/nonexistent\/crun.*missing or not executable/);
  });
}

test('CGHERD_RUNTIME that is not executable', () => {
  const path = join(dir, 'plain-file');
  writeFileSync(path, 'not a program');
  const r = run(['delete', 'x'], { CGHERD_RUNTIME: path });
  assert.is(r.status, 1);
  oneRecord(r.stderr, /plain-file \(from CGHERD_RUNTIME\) is missing or not executable/);
});

test('broken config file: names the file and the position', () => {
  const conf = join(dir, 'broken.json');
  writeFileSync(conf, '{\n  "runtime": "/usr/bin/crun",\n  "validate": enforce\n}\n');
  const r = run(['create', 'x'], { CGHERD_CONFIG: conf });
  assert.is(r.status, 1);
  oneRecord(r.stderr, /config file .*broken\.json is not valid JSON.*line 3/);
  // A query goes on (test/unit/lower-rule.test.ts): the same words, as a warning line.
  const q = run(['state', 'x'], { CGHERD_CONFIG: conf });
  assert.match(
    q.stderr.split('\n')[0] ?? '',
    /^cgherd: warning: .*broken\.json is not valid JSON.*line 3/,
  );
});

test('config file with a wrong field: names the field', () => {
  const conf = join(dir, 'wrong.json');
  writeFileSync(conf, '{"runtime": "/usr/bin/crun", "validate": "sometimes"}');
  const r = run(['create', 'x'], { CGHERD_CONFIG: conf });
  assert.is(r.status, 1);
  oneRecord(r.stderr, /wrong\.json: field \/validate/);
});

test('a restore-cgroup-root override that is no mode: one record naming it', () => {
  const r = run(['restore', '--bundle', dir, 'x'], {
    CGHERD_RUNTIME: script('crun-ok', 'exit 0'),
    CGHERD_RESTORE_CGROUP_ROOT: 'sometimes',
  });
  assert.is(r.status, 1);
  oneRecord(r.stderr, /CGHERD_RESTORE_CGROUP_ROOT="sometimes" is not one of auto, always, never/);
});

test('a named config file that does not exist is an error, not a silent default', () => {
  const r = run(['create', 'x'], { CGHERD_CONFIG: join(dir, 'absent.json') });
  assert.is(r.status, 1);
  oneRecord(r.stderr, /config file: cannot read .*absent\.json: no such file/);
});

test('--log-format json --log FILE gets exactly one JSON record', () => {
  const log = join(dir, 'log.json');
  const r = run(['--log-format', 'json', '--log', log, 'create', 'x'], {
    CGHERD_RUNTIME: '/nonexistent/crun',
  });
  assert.is(r.status, 1);
  const text = readFileSync(log, 'utf8');
  assert.is(text.trimEnd().split('\n').length, 1);
  const record = JSON.parse(text) as { msg: string; level: string; time: string };
  assert.is(record.level, 'error');
  assert.match(record.msg, /nonexistent/);
  assert.ok(!Number.isNaN(Date.parse(record.time)));
});

test('exit status is mirrored, on both paths', () => {
  const lower = script('exit7', 'exit 7');
  assert.is(run(['state', 'x'], { CGHERD_RUNTIME: lower }).status, 7);
  assert.is(run(['create', 'x'], { CGHERD_RUNTIME: lower }).status, 7);
});

test('death by signal N becomes 128 + N', () => {
  const lower = script('selfkill', 'kill -TERM $$');
  const r = run(['create', 'x'], { CGHERD_RUNTIME: lower });
  assert.is(r.status, 143);
  assert.is(r.stderr, '');
});

test('argv reaches the lower runtime byte for byte, argv[0] its own name', () => {
  const out = join(dir, 'argv.txt');
  const lower = script('echo-argv', `for a in "$0" "$@"; do printf '[%s]\\n' "$a"; done > ${out}`);
  const args = [
    '--log-format=json',
    '--root',
    '/r',
    'create',
    '--bundle',
    '/b b',
    '-f',
    'c',
    '',
    'x y',
  ];
  assert.is(run(args, { CGHERD_RUNTIME: lower }).status, 0);
  const seen = readFileSync(out, 'utf8').trimEnd().split('\n');
  assert.match(seen[0] ?? '', /echo-argv\]$/);
  assert.equal(
    seen.slice(1),
    args.map((a) => `[${a}]`),
  );
});

test('signals are relayed to the lower runtime', async () => {
  const marker = join(dir, 'got-term');
  const pidFile = join(dir, 'trap-term.pid');
  const lower = script(
    'trap-term',
    `echo $$ > ${pidFile}\ntrap 'echo TERM > ${marker}; exit 42' TERM\necho ready\nwhile :; do sleep 0.05; done`,
  );
  // If relaying fails, the lower runtime must not outlive the test (it holds our pipes).
  lowerPids.push(pidFile);
  const child = spawn(CGHERD, ['create', 'x'], {
    env: { CGHERD_VALIDATE: 'off', CGHERD_RUNTIME: lower },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
  child.kill('SIGTERM');
  const status = await new Promise<number | null>((resolve) =>
    child.on('exit', (code) => resolve(code)),
  );
  assert.is(status, 42);
  assert.is(readFileSync(marker, 'utf8').trim(), 'TERM');
});

const lowerPids: string[] = [];

test.after(() => {
  for (const file of lowerPids) {
    try {
      process.kill(Number(readFileSync(file, 'utf8')), 'SIGKILL');
    } catch {
      // already gone, as it should be
    }
  }
  rmSync(dir, { recursive: true, force: true });
});
test.run();
