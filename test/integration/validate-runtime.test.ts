// The validate-config hook through bin/cgherd with a real crun, in a v1 mount namespace
// (validation does not depend on the cgroup mode). The lower runtime is a recorder script
// that logs every call and then execs crun, so a refusal is proven by the recorder never
// being called.
//
// The broken bundle has a poststop hook with "timeout": 0: the schema wants >= 1, crun
// 1.21 takes it (the control below). That is the kind of config cgherd exists to stop
// in enforce mode and to let through in warn and off.

import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import { before } from '../lib/bed/before.js';
import * as assert from 'uvu/assert';
import { CGHERD_BIN, RUNTIMES, inMode, type RunResult } from '../lib/bed/bed.js';
import { buildConfig, makeBundle } from '../lib/scenario/bundle.js';
import { cleanupPrefix } from '../lib/bed/cleanup.js';

const PREFIX = 'cgt-val-rt-';
const dir = mkdtempSync(`/tmp/${PREFIX}int-`);
const state = join(dir, 'state');
const recorder = join(dir, 'recorder');
const calls = join(dir, 'calls');
const emptyConfig = join(dir, 'cgherd-empty.json');
let good = '';
let broken = '';
let seq = 0;

const POINTER = '/hooks/poststop/0/timeout';

before(test, async () => {
  await cleanupPrefix(PREFIX, { stateRoots: [state], keepTempDirs: true });
  mkdirSync(state, { recursive: true });
  writeFileSync(recorder, `#!/bin/sh\necho "$*" >> ${calls}\nexec ${RUNTIMES.crun121} "$@"\n`, {
    mode: 0o755,
  });
  writeFileSync(emptyConfig, '{}\n');
  good = await makeBundle(join(dir, 'good'), { tree: 'single', mode: 'v1' });
  broken = await makeBundle(join(dir, 'broken'), { tree: 'single', mode: 'v1' });
  const config = buildConfig({ tree: 'single', mode: 'v1' });
  config.hooks = { poststop: [{ path: '/bin/true', timeout: 0 }] };
  writeFileSync(join(broken, 'config.json'), JSON.stringify(config, null, 2));
});

test.after(async () => {
  await cleanupPrefix(PREFIX, { stateRoots: [state] });
});

function nextId(): string {
  return `${PREFIX}int-${process.pid}-${++seq}`;
}

function recorded(): string[] {
  return existsSync(calls) ? readFileSync(calls, 'utf8').split('\n').filter(Boolean) : [];
}

async function cgherd(args: string[], env: Record<string, string>): Promise<RunResult> {
  writeFileSync(calls, '');
  return inMode('v1', CGHERD_BIN, args, {
    env: { CGHERD_CONFIG: emptyConfig, CGHERD_RUNTIME: recorder, ...env },
    timeoutMs: 60_000,
  });
}

/** `create` of the good bundle with `text` as the cgherd config file `conf`. */
async function createGoodWithConfig(id: string, conf: string, text: string): Promise<RunResult> {
  writeFileSync(conf, text);
  return cgherd(['--root', state, 'create', '--bundle', good, id], { CGHERD_CONFIG: conf });
}

async function created(id: string): Promise<boolean> {
  const r = await inMode('v1', RUNTIMES.crun121, ['--root', state, 'state', id]);
  return r.code === 0 && r.stdout.includes('"created"');
}

async function remove(id: string): Promise<void> {
  await inMode('v1', RUNTIMES.crun121, ['--root', state, 'delete', '--force', id]);
}

test('control: crun itself creates the broken bundle (the schema, not crun, objects)', async () => {
  const id = nextId();
  try {
    writeFileSync(calls, '');
    const r = await inMode('v1', recorder, ['--root', state, 'create', '--bundle', broken, id]);
    assert.is(r.code, 0, r.stderr);
    assert.ok(await created(id));
  } finally {
    await remove(id);
  }
});

test('enforce: refused with one record, crun never called, no container', async () => {
  const id = nextId();
  const args = ['--root', state, 'create', '--bundle', broken, id];
  try {
    const r = await cgherd(args, { CGHERD_VALIDATE: 'enforce' });
    assert.is.not(r.code, 0);
    assert.equal(recorded(), []);
    assert.not.ok(await created(id));
    const lines = r.stderr.trim().split('\n');
    assert.is(lines.length, 1, r.stderr);
    assert.match(lines[0] ?? '', `${broken}/config.json`);
    assert.match(lines[0] ?? '', `${POINTER}: expected a number >= 1, found number 0`);
  } finally {
    await remove(id);
  }
});

test('enforce is the default (no CGHERD_VALIDATE, config file without "validate")', async () => {
  const id = nextId();
  try {
    const r = await cgherd(['--root', state, 'create', '--bundle', broken, id], {});
    assert.is.not(r.code, 0);
    assert.equal(recorded(), []);
  } finally {
    await remove(id);
  }
});

test('enforce with --log-format json: the record is one JSON line in the log', async () => {
  const id = nextId();
  const log = join(dir, `${id}.log`);
  try {
    const r = await cgherd(
      ['--log', log, '--log-format', 'json', '--root', state, 'create', '--bundle', broken, id],
      { CGHERD_VALIDATE: 'enforce' },
    );
    assert.is.not(r.code, 0);
    assert.equal(recorded(), []);
    const lines = readFileSync(log, 'utf8').trim().split('\n');
    assert.is(lines.length, 1);
    const record = JSON.parse(lines[0] ?? '') as { msg: string; level: string };
    assert.is(record.level, 'error');
    assert.match(record.msg, POINTER);
  } finally {
    await remove(id);
  }
});

test('enforce: -f/--config names the file; a valid one passes', async () => {
  const id = nextId();
  try {
    const r = await cgherd(
      ['--root', state, 'create', '--bundle', broken, '--config', join(good, 'config.json'), id],
      { CGHERD_VALIDATE: 'enforce' },
    );
    assert.is(r.code, 0, r.stderr);
    assert.is(recorded().length, 1);
    assert.ok(await created(id));
  } finally {
    await remove(id);
  }
});

test('control for enforce: the valid bundle is created, argv unchanged', async () => {
  const id = nextId();
  const args = ['--root', state, 'create', '--bundle', good, id];
  try {
    const r = await cgherd(args, { CGHERD_VALIDATE: 'enforce' });
    assert.is(r.code, 0, r.stderr);
    assert.equal(recorded(), [args.join(' ')]);
    assert.ok(await created(id));
  } finally {
    await remove(id);
  }
});

for (const mode of ['warn', 'off'] as const) {
  test(`${mode}: the broken bundle is forwarded and created, nothing on stderr`, async () => {
    const id = nextId();
    const args = ['--root', state, 'create', '--bundle', broken, id];
    const debugLog = join(dir, `${id}.debug.log`);
    try {
      const r = await cgherd(args, { CGHERD_VALIDATE: mode, CGHERD_DEBUG_LOG: debugLog });
      assert.is(r.code, 0, r.stderr);
      assert.is(r.stderr, '');
      assert.equal(recorded(), [args.join(' ')]);
      assert.ok(await created(id));
      const debug = existsSync(debugLog) ? readFileSync(debugLog, 'utf8') : '';
      if (mode === 'warn')
        assert.match(debug, `cgherd:create:validate-config warning (mode warn, forwarding anyway)`);
      else assert.not.match(debug, 'validate-config');
    } finally {
      await remove(id);
    }
  });
}

test('an invalid cgherd config file is a clear error naming file and field; crun not called', async () => {
  const id = nextId();
  const conf = join(dir, 'cgherd-bad.json');
  try {
    const r = await createGoodWithConfig(id, conf, '{"validate": "sometimes"}\n');
    assert.is.not(r.code, 0);
    assert.equal(recorded(), []);
    assert.match(r.stderr, conf);
    assert.match(r.stderr, '/validate');
    assert.match(r.stderr, 'expected one of "enforce", "warn", "off", found string "sometimes"');
    assert.not.ok(await created(id));
  } finally {
    await remove(id);
  }
});

test('a cgherd config file that is not JSON gives line and column', async () => {
  const id = nextId();
  const conf = join(dir, 'cgherd-syntax.json');
  try {
    const r = await createGoodWithConfig(id, conf, '{\n  "validate": "warn",\n}\n');
    assert.is.not(r.code, 0);
    assert.equal(recorded(), []);
    assert.match(r.stderr, conf);
    assert.match(r.stderr, /line 3, column 1/);
  } finally {
    await remove(id);
  }
});

test.run();
