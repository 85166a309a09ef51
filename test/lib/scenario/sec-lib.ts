// Shared steps of the security fixes' integration tests (issue 11), not a test file itself:
// a bundle running a script of the test's own (with extra files in its rootfs), a
// container restored under a new id by the scenario's bare runtime, and cgherd called in
// the scenario's state root.

import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as assert from 'uvu/assert';
import { CGHERD_BIN, REPO_ROOT, inMode, type RunResult } from '../bed/bed.js';
import type { Placement, Scenario } from './scenario.js';

/** A bundle whose init runs `script` (stdio to /dev/null), with `files` (rootfs path ->
 *  host file) copied into its rootfs, executable. */
export async function scriptBundle(
  sc: Scenario,
  name: string,
  script: string,
  files: Record<string, string> = {},
): Promise<string> {
  const dir = await sc.bundle(name, { tree: 'single' });
  const file = join(dir, 'config.json');
  const config = JSON.parse(readFileSync(file, 'utf8')) as { process: { args: string[] } };
  config.process.args = ['/bin/sh', '-c', `exec </dev/null >/dev/null 2>&1\n${script}`, 'init'];
  writeFileSync(file, JSON.stringify(config, null, 2));
  for (const [inside, host] of Object.entries(files)) {
    const target = join(dir, 'rootfs', inside);
    copyFileSync(host, target);
    chmodSync(target, 0o755);
  }
  return dir;
}

export interface Restored {
  from: string;
  /** The copies restored from one image, each under a new id with a bundle of its own. */
  copies: string[];
  placements: Placement[];
}

/** Runs `script` as `<prefix><tag>a`, checkpoints it, restores `count` copies under new
 *  ids (`...b`, `...c`) with the scenario's runtime. Each copy must have `size` processes. */
export async function restoreCopies(
  sc: Scenario,
  tag: string,
  script: string,
  size: number,
  opts: { files?: Record<string, string>; count?: number } = {},
): Promise<Restored> {
  const bundle = (id: string): Promise<string> =>
    scriptBundle(sc, `bundle-${id}`, script, opts.files);
  const from = `${sc.prefix}${tag}a`;
  const run = await sc.run(from, await bundle(from));
  assert.is(run.code, 0, `run ${from}: ${run.stderr}`);
  await sc.waitForTree(from, size);
  const image = sc.path(`image-${tag}`);
  const dump = await sc.checkpoint(from, image);
  assert.is(dump.code, 0, `checkpoint ${from}: ${dump.stderr}\n${await dumpErrors(sc, image)}`);
  const copies = ['b', 'c'].slice(0, opts.count ?? 1).map((s) => `${sc.prefix}${tag}${s}`);
  const placements: Placement[] = [];
  for (const id of copies) {
    const restore = await sc.restore(id, await bundle(id), image);
    assert.is(
      restore.code,
      0,
      `restore ${id}: ${restore.stderr}\n${await sc.restoreErrors(image)}`,
    );
    placements.push(await sc.waitForTree(id, size));
  }
  return { from, copies, placements };
}

/** The error lines of a checkpoint's dump.log, or '' without one. */
export async function dumpErrors(sc: Scenario, image: string): Promise<string> {
  const log = await sc.dumpLog(image).catch(() => '');
  return log
    .split('\n')
    .filter((l) => /Error|Unseizable/.test(l))
    .join('\n');
}

/** cgherd with `argv`, over the scenario's lower runtime, in its cgroup mode. `prelude`
 *  runs first in the same mount namespace (e.g. a read-only remount). */
export function cgherdIn(
  sc: Scenario,
  argv: readonly string[],
  opts: { prelude?: string; env?: Record<string, string> } = {},
): Promise<RunResult> {
  const script = `${opts.prelude ?? ''}exec "$0" "$@"`;
  return inMode(sc.mode, '/bin/sh', ['-c', script, CGHERD_BIN, ...argv], {
    env: { CGHERD_RUNTIME: sc.rt.lower ?? sc.rt.bin, ...opts.env },
    timeoutMs: 120_000,
  });
}

/** The `herd ID: init N, M members, K moved, ...` lines of a cgherd debug log. */
export function herdLogLines(log: string): { line: string; members: number; moved: number }[] {
  return [...log.matchAll(/herd \S+: init \d+, (\d+) members, (\d+) moved[^\n]*/g)].map((m) => ({
    line: m[0],
    members: Number(m[1]),
    moved: Number(m[2]),
  }));
}

/** Compiles a C file of test/fixtures/c statically into a new temp dir; returns the binary. */
export function compileStatic(prefix: string, source: string): string {
  const dir = mkdtempSync(join('/tmp', `${prefix}cc-`));
  const out = join(dir, source.replace(/\.c$/, ''));
  execFileSync('gcc', [
    '-static',
    '-pthread',
    '-O2',
    '-o',
    out,
    join(REPO_ROOT, 'test', 'fixtures', 'c', source),
  ]);
  return out;
}
