// Issue 18, item 2: a key that crun reads as another. crun (yajl + libocispec) keeps keys
// as C strings, so `"uid\u0000": 0, "uid": 1000` is uid 0 to crun and uid 1000 to
// JSON.parse, the schema and every check that reads the parsed document. Control, with
// crun 1.8.1 and 1.21 alone: the container really prints uid 0 (and 1000 without the NUL
// key). cgherd refuses the file before crun sees it; the plain file runs as uid 1000.

import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CGHERD_BIN, ROOTFS_BUSYBOX, RUNTIMES, inMode } from '../lib/bed/bed.js';
import { buildConfig } from '../lib/scenario/bundle.js';
import { cleanupPrefix } from '../lib/bed/cleanup.js';

const PREFIX = 'cgt-sec-ckeys-';
const dir = mkdtempSync('/tmp/cgt-sec-ckeys-');
const root = join(dir, 'state');

test.after(async () => {
  await cleanupPrefix(PREFIX);
  rmSync(dir, { recursive: true, force: true });
});

/** A bundle whose process prints its uid; `user` is the raw text of process.user. */
function bundle(name: string, user: string): string {
  const b = join(dir, name);
  mkdirSync(b);
  symlinkSync(ROOTFS_BUSYBOX, join(b, 'rootfs'));
  const config = buildConfig({ tree: 'single', mode: 'v1', cgroupsPath: `/${PREFIX}${name}` });
  const process = config.process as Record<string, unknown>;
  process.args = ['/bin/sh', '-c', 'id -u'];
  process.user = '@USER@';
  (config.root as Record<string, unknown>).readonly = true;
  writeFileSync(join(b, 'config.json'), JSON.stringify(config).replace('"@USER@"', user));
  return b;
}

const NUL_KEY = String.raw`{"uid\u0000": 0, "uid": 1000, "gid": 1000}`;
const PLAIN = '{"uid": 1000, "gid": 1000}';

for (const [label, crun] of [
  ['1.8.1', RUNTIMES.crun181],
  ['1.21', RUNTIMES.crun121],
] as const) {
  const tag = label.replace(/\./g, '');
  test(`crun ${label}: alone it runs the NUL-key file as uid 0; cgherd refuses it`, async () => {
    const nul = bundle(`nul${tag}`, NUL_KEY);
    const alone = await inMode('v1', crun, [
      '--root',
      root,
      'run',
      '--bundle',
      nul,
      `${PREFIX}a${tag}`,
    ]);
    assert.is(alone.stdout.trim(), '0', `control: crun ${label} read uid 0: ${alone.stderr}`);

    const args = ['--root', root, 'run', '--bundle', nul, `${PREFIX}c${tag}`];
    const through = await inMode('v1', CGHERD_BIN, args, { env: { CGHERD_RUNTIME: crun } });
    assert.is(through.code, 1, through.stdout + through.stderr);
    assert.is(through.stdout, '', 'the container ran');
    assert.match(through.stderr, /crun reads keys as C strings/);
  });

  test(`crun ${label}: the plain file runs as uid 1000, alone and through cgherd`, async () => {
    const plain = bundle(`plain${tag}`, PLAIN);
    for (const [who, cmd] of [
      ['alone', crun],
      ['cgherd', CGHERD_BIN],
    ] as const) {
      const r = await inMode(
        'v1',
        cmd,
        ['--root', root, 'run', '--bundle', plain, `${PREFIX}${who}${tag}`],
        {
          env: { CGHERD_RUNTIME: crun },
        },
      );
      assert.is(r.stdout.trim(), '1000', `${who}: ${r.stderr}`);
    }
  });
}

test.run();
