// NODE_* variables and OPENSSL_CONF never reach the root Node process (NODE_OPTIONS=
// --require loads code), yet the lower runtime still gets them unchanged: bin/cgherd moves
// them aside as CGHERD_STASHED_<name>, and src/lower/caller-env.ts puts them back for the
// child only. Control: the same NODE_OPTIONS given to node directly does run the code.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { callerEnv } from '../../src/lower/caller-env.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const LAUNCHER = join(REPO, 'bin/cgherd');
const dir = mkdtempSync(join(tmpdir(), 'cgt-nodeenv-'));
const pwned = join(dir, 'pwned');
const evil = join(dir, 'evil.js');
writeFileSync(
  evil,
  `require('fs').writeFileSync(${JSON.stringify(pwned)}, 'ran as uid ' + process.getuid());\n`,
);
const recorded = join(dir, 'recorded.env');
const recorder = join(dir, 'recorder');
// NUL-separated, so that a value with a newline is recorded as it is.
writeFileSync(recorder, `#!/bin/sh\n/usr/bin/env -0 > ${recorded}\n`);
chmodSync(recorder, 0o755);
const bundle = join(dir, 'bundle');
mkdirSync(bundle);
writeFileSync(join(bundle, 'config.json'), '{}');

const CALLER = {
  NODE_OPTIONS: `--require=${evil}`,
  NODE_PATH: '/a b\nc=d',
  NODE_REPL_EXTERNAL_MODULE: evil,
  NODE_V8_COVERAGE: join(dir, 'coverage'),
  NODE_EXTRA_CA_CERTS: join(dir, 'ca.pem'),
  NODE_EMPTY: '',
  OPENSSL_CONF: join(dir, 'openssl.cnf'),
};

function recordedEnv(): Map<string, string> {
  const text = readFileSync(recorded, 'utf8');
  const out = new Map<string, string>();
  for (const entry of text.split('\0').filter(Boolean)) {
    const at = entry.indexOf('=');
    out.set(entry.slice(0, at), entry.slice(at + 1));
  }
  return out;
}

for (const argv of [
  ['create', '--bundle', bundle, 'x'],
  ['state', 'x'],
]) {
  test(`${argv[0]}: NODE_OPTIONS runs no code in cgherd, the lower runtime still sees it`, () => {
    rmSync(pwned, { force: true });
    rmSync(recorded, { force: true });
    // A broken config sends `state` through Node too (it would otherwise be exec'd).
    const conf = join(dir, `${argv[0] ?? ''}.json`);
    writeFileSync(conf, argv[0] === 'state' ? '{,}' : '{}');
    const r = spawnSync(LAUNCHER, argv, {
      env: { ...CALLER, CGHERD_RUNTIME: recorder, CGHERD_VALIDATE: 'off', CGHERD_CONFIG: conf },
      encoding: 'utf8',
    });
    assert.is(r.status, 0, r.stderr);
    assert.not.ok(existsSync(pwned), 'evil.js ran');
    const env = recordedEnv();
    for (const [name, value] of Object.entries(CALLER)) assert.is(env.get(name), value, name);
    assert.equal(
      [...env.keys()].filter((k) => k.startsWith('CGHERD_STASHED_')),
      [],
      'stash reached the lower runtime',
    );
  });
}

test('control: the same NODE_OPTIONS given to node runs the code', () => {
  rmSync(pwned, { force: true });
  const r = spawnSync(process.execPath, ['-e', '0'], {
    env: { NODE_OPTIONS: `--require=${evil}` },
  });
  assert.is(r.status, 0);
  assert.ok(existsSync(pwned));
});

test('callerEnv: stashed names come back, other variables stay, the stash goes', () => {
  const env = callerEnv({
    PATH: '/bin',
    CGHERD_STASHED_NODE_OPTIONS: '--x',
    CGHERD_STASHED_OPENSSL_CONF: '/o',
    CGHERD_STASHED_OTHER: 'kept: not a name the launcher moves',
  });
  assert.equal(env, {
    PATH: '/bin',
    NODE_OPTIONS: '--x',
    OPENSSL_CONF: '/o',
    CGHERD_STASHED_OTHER: 'kept: not a name the launcher moves',
  });
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
