// Issue 18, item 2: a broken config file must not send teardown to another runtime than
// the one that created the container. The config names runc (not the crun the standard
// search finds); a container is created and started through cgherd, then the file gets a
// trailing comma. kill and delete through cgherd reach runc (one warning each) and the
// container is gone. Control: without the kept value (its record removed) the same kill
// goes to crun, which does not know the container, and runc still lists it.

import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CGHERD_BIN, RUNTIMES, inMode } from '../lib/bed/bed.js';
import { makeBundle } from '../lib/scenario/bundle.js';
import { cleanupPrefix } from '../lib/bed/cleanup.js';
import { LAST_GOOD_DIR } from '../../src/config/last-good.js';

const PREFIX = 'cgt-brokenowner-';
const dir = mkdtempSync(join('/tmp', PREFIX));
const root = join(dir, 'state');
mkdirSync(root);
const conf = join(dir, 'config.json');
const GOOD = `{"runtime": "${RUNTIMES.runc}"}\n`;
const BROKEN = `{"runtime": "${RUNTIMES.runc}",}\n`;

test.after(async () => {
  await inMode('v1', RUNTIMES.runc, ['--root', root, 'delete', '--force', `${PREFIX}a`]);
  await inMode('v1', RUNTIMES.runc, ['--root', root, 'delete', '--force', `${PREFIX}b`]);
  await cleanupPrefix(PREFIX, { stateRoots: [root] });
  rmSync(dir, { recursive: true, force: true });
});

function cgherd(args: string[]) {
  return inMode('v1', CGHERD_BIN, ['--root', root, ...args], {
    env: { CGHERD_CONFIG: conf },
    cwd: dir,
  });
}

async function runcStatus(id: string): Promise<string | undefined> {
  const r = await inMode('v1', RUNTIMES.runc, ['--root', root, 'state', id]);
  return r.code === 0 ? (JSON.parse(r.stdout) as { status: string }).status : undefined;
}

async function startedThroughCgherd(id: string): Promise<void> {
  writeFileSync(conf, GOOD);
  const bundle = await makeBundle(join(dir, id), { tree: 'single', mode: 'v1' });
  const create = await cgherd(['create', '--bundle', bundle, id]);
  assert.is(create.code, 0, create.stderr);
  const start = await cgherd(['start', id]);
  assert.is(start.code, 0, start.stderr);
  assert.is(await runcStatus(id), 'running');
  writeFileSync(conf, BROKEN);
}

test('broken config: kill and delete reach runc, the runtime the file named', async () => {
  const id = `${PREFIX}a`;
  await startedThroughCgherd(id);
  const kill = await cgherd(['kill', id, 'KILL']);
  assert.is(kill.code, 0, kill.stderr);
  assert.match(
    kill.stderr,
    `uses ${RUNTIMES.runc} (the lower runtime the file named when it last loaded)`,
  );
  for (let i = 0; i < 50 && (await runcStatus(id)) !== 'stopped'; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const del = await cgherd(['delete', '--force', id]);
  assert.is(del.code, 0, del.stderr);
  assert.is(await runcStatus(id), undefined, 'runc still lists the container');
});

test('control: without the kept value, the standard search misses the container', async () => {
  const id = `${PREFIX}b`;
  await startedThroughCgherd(id);
  for (const name of readdirSync(LAST_GOOD_DIR)) {
    const file = join(LAST_GOOD_DIR, name);
    if (readFileSync(file, 'utf8').includes(JSON.stringify(conf))) rmSync(file);
  }
  const kill = await cgherd(['kill', id, 'KILL']);
  assert.match(kill.stderr, /\(standard search\)/);
  assert.is.not(kill.code, 0, 'crun killed a container it did not create?');
  assert.is(await runcStatus(id), 'running');
});

test.run();
