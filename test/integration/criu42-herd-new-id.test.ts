// The new-id herd scenario (herd-new-id.test.ts) once more with CRIU 4.2.1, the second
// CRIU of the matrix (test/env/criu-4.2.sh), instead of the system's 4.1.1: crun 1.8.1 with
// $FIXTURES/criu-4.2.1 first on its PATH (crun dlopens libcriu.so.2, which is libcriu 4.1.1,
// and libcriu starts `criu swrk` through PATH), on v1 and v2. Every dump.log and
// restore.log is read for the version that wrote it, so the run proves which CRIU it had,
// and that libcriu 4.1.1 drives CRIU 4.2.1 over RPC. The control: bare crun 1.8.1 fails the
// second checkpoint with "Unseizable"; through cgherd every cycle passes.
// Also: 4.2.1 dumps a plain sleep by its absolute path (no wrapper) without CRIU_FAULT,
// taking the no-breakpoint path exactly when its own check says this machine needs it.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES, MODES, RUNTIMES, runCommand, type CgroupMode } from '../lib/bed/bed.js';
import { cleanupPrefix } from '../lib/bed/cleanup.js';
import { gone } from '../lib/bed/criu-hold.js';
import { bare, viaCgherd, type RuntimeUnderTest } from '../lib/scenario/scenario.js';
import { describeOutcome, runCycles, type CycleOutcome } from '../lib/cgroups/herd-lib.js';

const PREFIX = 'cgt-criu42-';
const CRIU42_DIR = `${FIXTURES}/criu-4.2.1`;
const CRIU42 = `${CRIU42_DIR}/criu`;
const scratch = mkdtempSync(`/tmp/${PREFIX}`);

test.after(async () => {
  await cleanupPrefix(PREFIX);
  rmSync(scratch, { recursive: true, force: true });
});

/** rt with CRIU 4.2.1 first on the PATH it gives the runtime (and so libcriu). */
function on42(rt: RuntimeUnderTest): RuntimeUnderTest {
  const path = `${CRIU42_DIR}:${process.env.PATH ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'}`;
  return { ...rt, label: `${rt.label}, CRIU 4.2.1`, env: { ...rt.env, PATH: path } };
}

/** The version in a CRIU log's header, `(00.000000) Version: 4.2.1 (gitid 0)`. */
function logVersion(log: string): string {
  return /^\(\s*[\d.]+\) Version: (\S+)/m.exec(log)?.[1] ?? '(no version line)';
}

type Outcome = CycleOutcome & {
  /** `dump 1: 4.2.1`, `restore 1: 4.2.1`, … one entry per CRIU run. */
  versions: string[];
};

/** herd-lib's new-id cycles, every CRIU log's version kept. Placement is asserted by each
 *  test itself (the control has strays by design). */
async function cycles(mode: CgroupMode, rt: RuntimeUnderTest, count: number): Promise<Outcome> {
  const versions: string[] = [];
  const o = await runCycles(mode, rt, PREFIX, 'new', count, {
    checkPlacement: false,
    onCriuLog: (label, log) => versions.push(`${label}: ${logVersion(log)}`),
  });
  return { ...o, versions };
}

function show(label: string, o: Outcome): void {
  console.log(describeOutcome(label, o));
  console.log(`    CRIU runs: ${o.versions.join(', ')}`);
}

test('the fixtures: CRIU 4.2.1 built, and crun 1.8.1 loads libcriu 4.1.1', async () => {
  assert.ok(existsSync(CRIU42), `${CRIU42} missing: run make testbed`);
  const v = await runCommand(CRIU42, ['--version']);
  assert.match(v.stdout, /^Version: 4\.2\.1$/m);
  // crun 1.8.1 dlopens libcriu.so.2 (it is not in its DT_NEEDED): the loader's choice.
  const cache = await runCommand('/sbin/ldconfig', ['-p']);
  const lib = /libcriu\.so\.2 \([^)]*\) => (\S+)/.exec(cache.stdout)?.[1];
  assert.ok(lib !== undefined, 'no libcriu.so.2 in the loader cache');
  const owner = await runCommand('/usr/bin/dpkg-query', ['-S', realpathSync(lib)]);
  const pkg = /^([^:]+):/.exec(owner.stdout)?.[1] ?? '';
  const version = await runCommand('/usr/bin/dpkg-query', ['-W', '-f', '${Version}', pkg]);
  console.log(`  libcriu.so.2 -> ${realpathSync(lib)} (${pkg} ${version.stdout})`);
  assert.match(version.stdout, /^4\.1\.1-/);
});

for (const mode of MODES) {
  test(`${mode}: control, bare crun 1.8.1 with CRIU 4.2.1 fails at the second checkpoint`, async () => {
    const o = await cycles(mode, on42(bare(RUNTIMES.crun181, 'crun 1.8.1')), 2);
    show(`${mode} control crun 1.8.1, CRIU 4.2.1, new id`, o);
    assert.ok(
      (o.misplaced[0] ?? 0) > 0,
      'bare crun 1.8.1 leaves strays after a restore under a new id',
    );
    assert.equal(
      [o.failure?.cycle, o.failure?.step],
      [2, 'checkpoint'],
      'the control must fail at the second checkpoint, or this file proves nothing',
    );
    assert.match(o.dumpLog ?? '', 'Unseizable non-zombie');
    assert.equal(o.versions, ['dump 1: 4.2.1', 'restore 1: 4.2.1', 'dump 2: 4.2.1']);
  });

  test(`${mode}: through cgherd over crun 1.8.1 with CRIU 4.2.1, 3 cycles under new ids`, async () => {
    const o = await cycles(mode, on42(viaCgherd(RUNTIMES.crun181, 'cgherd over crun 1.8.1')), 3);
    show(`${mode} cgherd/crun 1.8.1, CRIU 4.2.1, new id`, o);
    assert.is(o.failure, undefined, `${o.failure?.step} ${o.failure?.cycle}: ${o.failure?.detail}`);
    assert.is(o.completed, 3);
    assert.equal(o.misplaced, [0, 0, 0], 'strays after a restore through cgherd');
    assert.ok(
      o.versions.length === 6 && o.versions.every((v) => v.endsWith(': 4.2.1')),
      o.versions.join(', '),
    );
  });

  test(`${mode}: through cgherd, the herd alone (no restore root), CRIU 4.2.1, 2 cycles`, async () => {
    const rt = viaCgherd(RUNTIMES.crun181, 'cgherd (herd only) over crun 1.8.1', {
      CGHERD_RESTORE_CGROUP_ROOT: 'never',
    });
    const o = await cycles(mode, on42(rt), 2);
    show(`${mode} cgherd herd-only/crun 1.8.1, CRIU 4.2.1, new id`, o);
    assert.is(o.failure, undefined, `${o.failure?.step} ${o.failure?.cycle}: ${o.failure?.detail}`);
    assert.is(o.completed, 2);
    assert.ok(
      o.versions.length === 4 && o.versions.every((v) => v.endsWith(': 4.2.1')),
      o.versions.join(', '),
    );
  });
}

test('CRIU 4.2.1 by its absolute path, without CRIU_FAULT, dumps a sleep; its breakpoint path follows its own check', async () => {
  const check = await runCommand(CRIU42, ['check', '--feature', 'breakpoints'], {
    timeoutMs: 60_000,
  });
  const delivered = check.code === 0 && /breakpoints is supported/.test(check.stdout);
  console.log(
    `  CRIU 4.2.1 check --feature breakpoints: exit ${check.code}: ${(check.stdout + check.stderr).trim()}`,
  );
  const child = spawn('/bin/sleep', ['600'], { detached: true, stdio: 'ignore', cwd: '/' });
  child.unref();
  const pid = child.pid as number;
  const images = join(scratch, 'sleep-img');
  mkdirSync(images);
  try {
    const dump = await runCommand(
      '/usr/bin/env',
      [
        '-u',
        'CRIU_FAULT',
        CRIU42,
        'dump',
        '-t',
        String(pid),
        '-D',
        images,
        '-o',
        'dump.log',
        '-v4',
        '--shell-job',
      ],
      { timeoutMs: 120_000, cwd: '/' },
    );
    const log = existsSync(join(images, 'dump.log'))
      ? readFileSync(join(images, 'dump.log'), 'utf8')
      : '';
    assert.is(
      dump.code,
      0,
      `dump failed: ${dump.stderr.trim()}\n${log
        .split('\n')
        .filter((l) => l.includes('Error'))
        .join('\n')}`,
    );
    assert.is(logVersion(log), '4.2.1');
    const noBp = /Force no-breakpoints restore of \d+/.test(log);
    console.log(`  dump passed; no-breakpoint path: ${noBp ? 'yes' : 'no'}`);
    assert.is(noBp, !delivered, "the no-breakpoint path does not follow CRIU 4.2.1's own check");
    assert.ok(await gone(pid), 'a passed dump kills the dumped task');
  } finally {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
});

test.run();
