// A broken /etc/cgherd/config.json never blocks teardown: a real running container (busybox
// bundle, crun 1.8.1 from the test bed) is killed and deleted through cgherd while its
// config file has a trailing comma, a duplicate key, a bad value. Each call adds exactly
// one warning line and the container is gone afterwards. The same with a UTF-8
// byte-order mark, which simply works: no warning. Control: `create` with the broken file
// is refused, as before. The config is named by CGHERD_CONFIG (the same reader as the
// default path); the fallback's lower runtime is the one the file named when it last
// loaded (crun 1.8.1 from the test bed).
// And the loop-guard marker stays out of containers: `env` inside one shows no
// CGHERD_LOOP_GUARD (crun does not pass its own environment in), nor the caller's NODE_*.

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CGHERD_BIN, MODES, RUNTIMES, inMode, type CgroupMode } from '../lib/bed/bed.js';
import { makeBundle } from '../lib/scenario/bundle.js';
import { cleanupPrefix } from '../lib/bed/cleanup.js';

const PREFIX = 'cgt-brokenconf-';
const dir = mkdtempSync(join('/tmp', PREFIX));
const root = join(dir, 'state');
mkdirSync(root);
const conf = join(dir, 'config.json');

test.after(async () => {
  await cleanupPrefix(PREFIX, { stateRoots: [root] });
  rmSync(dir, { recursive: true, force: true });
});

const GOOD = `{"runtime": "${RUNTIMES.crun181}"}\n`;
const BROKEN: Record<string, string> = {
  'trailing comma': `{"runtime": "${RUNTIMES.crun181}",}\n`,
  'duplicate key': `{"runtime": "${RUNTIMES.crun181}", "runtime": "/usr/bin/crun"}\n`,
  'bad value': `{"runtime": "${RUNTIMES.crun181}", "herd": "yes"}\n`,
};

function cgherd(mode: CgroupMode, args: string[], env: Record<string, string> = {}) {
  return inMode(mode, CGHERD_BIN, ['--root', root, ...args], {
    env: { CGHERD_CONFIG: conf, ...env },
    cwd: dir,
  });
}

async function statusOf(mode: CgroupMode, id: string): Promise<string | undefined> {
  const r = await inMode(mode, RUNTIMES.crun181, ['--root', root, 'state', id]);
  if (r.code !== 0) return undefined;
  return (JSON.parse(r.stdout) as { status: string }).status;
}

async function running(mode: CgroupMode, id: string): Promise<void> {
  writeFileSync(conf, GOOD);
  const bundle = await makeBundle(join(dir, id), { tree: 'single', mode });
  const r = await cgherd(mode, ['run', '--detach', '--bundle', bundle, id]);
  assert.is(r.code, 0, r.stderr);
  assert.is(await statusOf(mode, id), 'running');
}

function oneWarning(stderr: string, about: RegExp): void {
  const lines = stderr.trimEnd().split('\n');
  assert.is(lines.length, 1, stderr);
  assert.match(lines[0] ?? '', /^cgherd: warning: ignoring the broken config file: /);
  assert.match(lines[0] ?? '', about);
}

for (const mode of MODES) {
  for (const [name, text] of Object.entries(BROKEN)) {
    test(`${mode}: ${name}: kill and delete a running container, one warning each`, async () => {
      const id = `${PREFIX}${mode}-${name.replace(/ /g, '-')}`;
      await running(mode, id);
      writeFileSync(conf, text);
      const create = await cgherd(mode, ['create', '--bundle', join(dir, id), `${id}-2`]);
      assert.is(create.code, 1, 'create with a broken config must be refused');
      assert.match(create.stderr, /^cgherd: config file/);
      const state = await cgherd(mode, ['state', id]);
      assert.is(state.code, 0, state.stderr);
      oneWarning(state.stderr, new RegExp(conf));
      const kill = await cgherd(mode, ['kill', id, 'KILL']);
      assert.is(kill.code, 0, kill.stderr);
      // The runtime the file named when it last loaded (the create above): crun 1.8.1.
      oneWarning(
        kill.stderr,
        new RegExp(
          `uses ${RUNTIMES.crun181} \\(the lower runtime the file named when it last loaded\\)`,
        ),
      );
      for (let i = 0; i < 50 && (await statusOf(mode, id)) !== 'stopped'; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.is(await statusOf(mode, id), 'stopped');
      const del = await cgherd(mode, ['delete', id]);
      assert.is(del.code, 0, del.stderr);
      oneWarning(del.stderr, new RegExp(conf));
      assert.is(await statusOf(mode, id), undefined, 'still there after delete');
    });
  }

  test(`${mode}: a byte-order mark: kill and delete work, no warning`, async () => {
    const id = `${PREFIX}${mode}-bom`;
    await running(mode, id);
    writeFileSync(conf, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(GOOD)]));
    for (const args of [
      ['state', id],
      ['kill', id, 'KILL'],
    ]) {
      const r = await cgherd(mode, args);
      assert.is(r.code, 0, r.stderr);
      assert.is(r.stderr, '');
    }
    for (let i = 0; i < 50 && (await statusOf(mode, id)) !== 'stopped'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const del = await cgherd(mode, ['delete', id]);
    assert.is(del.code, 0, del.stderr);
    assert.is(del.stderr, '');
    assert.is(await statusOf(mode, id), undefined);
  });
}

test('v2: the loop-guard marker and the caller NODE_* stay out of the container', async () => {
  const id = `${PREFIX}env`;
  writeFileSync(conf, GOOD);
  const bundle = await makeBundle(join(dir, id), { tree: 'single', mode: 'v2' });
  const config = JSON.parse(readFileSync(join(bundle, 'config.json'), 'utf8')) as {
    process: { args: string[]; env?: string[] };
  };
  config.process.args = ['/bin/env'];
  writeFileSync(join(bundle, 'config.json'), JSON.stringify(config));
  // create goes through Node (NODE_* stashed and restored), run too: both paths.
  const r = await cgherd('v2', ['run', '--bundle', bundle, id], { NODE_OPTIONS: '--no-warnings' });
  assert.is(r.code, 0, r.stderr);
  const lines = r.stdout.split('\n').filter(Boolean);
  assert.ok(lines.length > 0, 'env printed nothing');
  assert.equal(lines.sort(), [...(config.process.env ?? [])].sort());
  assert.not.match(r.stdout, /CGHERD_|NODE_/);
  await cgherd('v2', ['delete', '-f', id]);
});

test.run();
