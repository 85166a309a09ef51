// What Podman and conmon rely on beyond argv: an empty environment, descriptors handed on
// with --preserve-fds, and a container stdin that stays blocking. Each check also runs a
// naive Node wrapper as its control, to show the check can fail.

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CGHERD_BIN, RUNTIMES, inMode } from '../lib/bed/bed.js';
import { makeBundle } from '../lib/scenario/bundle.js';
import { cleanupPrefix } from '../lib/bed/cleanup.js';

const PREFIX = 'cgt-rt-fd-';
const test = suite('runtime descriptors and environment');
const work = mkdtempSync(join(tmpdir(), PREFIX));
const root = join(work, 'root');
let counter = 0;

/** A wrapper the way a careless Node runtime would write it: stdio 'inherit' only. */
const NAIVE_WRAPPER = join(work, 'naive-wrapper.mjs');
writeFileSync(
  NAIVE_WRAPPER,
  `import { spawnSync } from 'node:child_process';
const r = spawnSync(${JSON.stringify(RUNTIMES.crun121)}, process.argv.slice(2), { stdio: 'inherit' });
process.exit(r.status ?? 1);
`,
);

async function bundleRunning(args: string[]): Promise<string> {
  const dir = await makeBundle(join(work, `bundle-${counter++}`), { tree: 'single', mode: 'v1' });
  const path = join(dir, 'config.json');
  const config = JSON.parse(readFileSync(path, 'utf8')) as {
    process: { args: string[]; terminal?: boolean };
  };
  config.process.args = args;
  config.process.terminal = false;
  writeFileSync(path, JSON.stringify(config, null, 2));
  return dir;
}

function nextId(): string {
  return `${PREFIX}${counter++}`;
}

test('with an empty environment (no PATH, no HOME) state, kill, delete and create work', async () => {
  const bundle = await bundleRunning(['sleep', '1000']);
  const id = nextId();
  const bare = ['/usr/bin/env', '-i', 'XDG_RUNTIME_DIR=', CGHERD_BIN, '--root', root];
  const create = await inMode('v1', bare[0] as string, [
    ...bare.slice(1),
    'create',
    '--bundle',
    bundle,
    id,
  ]);
  assert.is(create.code, 0, create.stderr);
  const start = await inMode('v1', bare[0] as string, [...bare.slice(1), 'start', id]);
  assert.is(start.code, 0, start.stderr);
  const state = await inMode('v1', bare[0] as string, [...bare.slice(1), 'state', id]);
  assert.is(state.code, 0, state.stderr);
  assert.match(state.stdout, /"status": "running"/);
  const kill = await inMode('v1', bare[0] as string, [...bare.slice(1), 'kill', id, '9']);
  assert.is(kill.code, 0, kill.stderr);
  let deleted = await inMode('v1', bare[0] as string, [...bare.slice(1), 'delete', id]);
  for (let i = 0; i < 30 && deleted.code !== 0; i++) {
    await new Promise((r) => setTimeout(r, 100));
    deleted = await inMode('v1', bare[0] as string, [...bare.slice(1), 'delete', id]);
  }
  assert.is(deleted.code, 0, deleted.stderr);
});

async function preservedFds(runtime: string[], env: Record<string, string>): Promise<string> {
  const bundle = await bundleRunning(['sh', '-c', 'cat <&4 >&3; echo fd3-ok >&3']);
  const id = nextId();
  const input = join(work, `in-${id}`);
  const output = join(work, `out-${id}`);
  writeFileSync(input, 'fd4-content\n');
  writeFileSync(output, '');
  const script = `exec 3>>"$1" 4<"$2"; shift 2; "$@" --root ${root} create --preserve-fds 2 --bundle ${bundle} ${id} && "$@" --root ${root} start ${id}`;
  const r = await inMode('v1', '/bin/sh', ['-c', script, 'sh', output, input, ...runtime], { env });
  for (let i = 0; i < 30; i++) {
    if (readFileSync(output, 'utf8').includes('fd3-ok')) break;
    await new Promise((res) => setTimeout(res, 100));
  }
  await inMode('v1', RUNTIMES.crun121, ['--root', root, 'delete', '--force', id]);
  return `${r.code}|${readFileSync(output, 'utf8')}`;
}

test('--preserve-fds 2: the container uses fds 3 and 4 through cgherd', async () => {
  const got = await preservedFds([CGHERD_BIN], { CGHERD_RUNTIME: RUNTIMES.crun121 });
  assert.is(got, '0|fd4-content\nfd3-ok\n');
});

test('control: a naive Node wrapper loses them', async () => {
  const got = await preservedFds([process.execPath, NAIVE_WRAPPER], {});
  assert.is.not(got, '0|fd4-content\nfd3-ok\n');
});

async function stdinFlags(runtime: string[], env: Record<string, string>): Promise<number> {
  const bundle = await bundleRunning([
    'sh',
    '-c',
    'grep ^flags /proc/self/fdinfo/0; cat >/dev/null',
  ]);
  const id = nextId();
  const script = `printf 'data\\n' | "$@" --root ${root} run --bundle ${bundle} ${id}`;
  const r = await inMode('v1', '/bin/sh', ['-c', script, 'sh', ...runtime], { env });
  await inMode('v1', RUNTIMES.crun121, ['--root', root, 'delete', '--force', id]);
  const flags = /flags:\s+([0-7]+)/.exec(r.stdout);
  assert.ok(flags, `no flags in output (exit ${r.code}): ${r.stdout} ${r.stderr}`);
  return parseInt(flags[1] as string, 8);
}

const O_NONBLOCK = 0o4000;

test('a container whose stdin is a pipe keeps a blocking stdin through cgherd', async () => {
  const flags = await stdinFlags([CGHERD_BIN], { CGHERD_RUNTIME: RUNTIMES.crun121 });
  assert.is(flags & O_NONBLOCK, 0);
});

// Measured on Node 20.20: opening process.stdin (or a net.Socket on fd 0) no longer
// switches a shared pipe to O_NONBLOCK, so the control sets the flag itself, the way a
// wrapper built on another event loop would. It shows the check above can fail.
test('control: a wrapper that makes its stdin non-blocking is caught', async () => {
  const setNonblock = `import os, sys; os.set_blocking(0, False); os.execv(sys.argv[1], sys.argv[1:])`;
  const flags = await stdinFlags(['/usr/bin/python3', '-c', setNonblock, RUNTIMES.crun121], {});
  assert.is(flags & O_NONBLOCK, O_NONBLOCK);
});

test.after(async () => {
  await cleanupPrefix(PREFIX);
  rmSync(work, { recursive: true, force: true });
});

test.run();
