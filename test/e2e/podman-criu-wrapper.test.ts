// The test bed's criu wrapper (test/env/breakpoints.sh) reaches Podman's CRIU: Podman
// hands the runtime almost no environment, but conmon and the runtime get Podman's PATH,
// and libcriu starts `criu swrk` through it. Forced `missing` with a scratch wrapper first
// on Podman's PATH, a checkpoint and a restore of a container (v1, crun 1.8.1) log that
// CRIU took the no-breakpoint path; the control, without the wrapper on PATH, does not
// (asserted only where the host's own verdict is `delivered`: elsewhere the host's
// wrapper is on every PATH).

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, RUNTIMES, runCommand } from '../lib/bed/bed.js';
import { VERDICT_FILE, parseVerdict } from '../lib/bed/breakpoints.js';
import { withPodmanBed, type PodmanBed } from '../lib/podman/podman.js';

const scratch = mkdtempSync('/tmp/cgt-pod-bpw-');
const wrapperDir = join(scratch, 'sbin');
const hostPath = process.env.PATH ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const NO_BP = /Force no-breakpoints restore of \d+/;
let bedDir: string | undefined;

test.after(() => {
  process.env.PATH = hostPath;
  rmSync(scratch, { recursive: true, force: true });
  // This file's bed is its own (tag bpw): its image and storage are not kept for later.
  if (bedDir !== undefined) rmSync(bedDir, { recursive: true, force: true });
});

async function log(bed: PodmanBed, name: string, file: string): Promise<string> {
  const path = await bed.userdataFile(name, file);
  return existsSync(path) ? readFileSync(path, 'utf8') : '';
}

/** run, checkpoint --keep, restore --keep; the two CRIU logs. */
async function cycle(bed: PodmanBed, name: string): Promise<{ dump: string; restore: string }> {
  const run = await bed.podman([
    'run',
    '-d',
    '--runtime',
    'crun',
    '--name',
    name,
    bed.image,
    '/bin/sh',
    '-c',
    'while :; do /bin/sleep 3600; done',
  ]);
  assert.is(run.code, 0, `run: ${run.stderr}`);
  const ck = await bed.podman(['container', 'checkpoint', '--keep', name]);
  const dump = await log(bed, name, 'dump.log');
  assert.is(ck.code, 0, `checkpoint: ${ck.stderr}\n${dump.slice(-1500)}`);
  const rs = await bed.podman(['container', 'restore', '--keep', name]);
  const restore = await log(bed, name, 'restore.log');
  assert.is(rs.code, 0, `restore: ${rs.stderr}\n${restore.slice(-1500)}`);
  return { dump, restore };
}

test("v1, crun 1.8.1: with the wrapper first on Podman's PATH, CRIU takes the no-breakpoint path; without it, not", async () => {
  const made = await runCommand(
    '/bin/sh',
    [join(REPO_ROOT, 'test/env/breakpoints.sh'), '--wrapper', join(wrapperDir, 'criu')],
    {
      env: { FIXTURES: scratch, CGHERD_TESTBED_BREAKPOINTS: 'missing' },
    },
  );
  assert.is(made.code, 0, made.stderr);
  const host = parseVerdict(existsSync(VERDICT_FILE) ? readFileSync(VERDICT_FILE, 'utf8') : '');
  await withPodmanBed('v1', { crun: RUNTIMES.crun181 }, { tag: 'bpw' }, async (bed) => {
    bedDir = bed.dir;
    process.env.PATH = `${wrapperDir}:${hostPath}`;
    const wrapped = await cycle(bed, 'cgt-bpw-wrapped');
    process.env.PATH = hostPath;
    assert.match(wrapped.dump, NO_BP, 'checkpoint: CRIU did not get CRIU_FAULT=130 through Podman');
    assert.match(wrapped.restore, NO_BP, 'restore: CRIU did not get CRIU_FAULT=130 through Podman');

    const plain = await cycle(bed, 'cgt-bpw-plain');
    console.log(
      `  host verdict ${host?.verdict ?? 'none'}; without the wrapper on PATH: dump.log ` +
        `${NO_BP.test(plain.dump) ? 'has' : 'lacks'} the no-breakpoint line`,
    );
    if (host?.verdict === 'delivered') {
      assert.not.match(
        plain.dump,
        NO_BP,
        'the control took the no-breakpoint path too: the check proves nothing',
      );
      assert.not.match(plain.restore, NO_BP);
    }
  });
});

test.run();
