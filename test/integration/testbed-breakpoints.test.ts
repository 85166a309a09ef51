// test/env/breakpoints.sh, the test bed's answer to machines that do not deliver hardware
// breakpoints (CRIU 4.1.1 hangs in every dump there). A machine here is either kind, so the
// decision is forced both ways, and the unforced probe is checked against CRIU 4.2.1's own
// detection (criu PR 2660). Every run uses a scratch FIXTURES and wrapper path: the host's
// verdict and /usr/local/sbin/criu are never touched.
// - forced `missing`: the wrapper is written; a real `criu dump`, found by name through
//   PATH, runs as a process named criu, exe /usr/sbin/criu, with CRIU_FAULT=130 in its
//   environment (read while CRIU is held in an action script), and CRIU logs that it took
//   the no-breakpoint path;
// - forced `delivered`: an old wrapper of ours goes, a file that is not ours stays;
// - unforced: the verdict matches this machine, is reused, and is probed again after a
//   reboot (another boot id in the file);
// - the probe's branches with a stand-in CRIU that hangs without CRIU_FAULT=130 (verdict
//   missing), that always hangs, or that fails (hard failures naming the cause);
// - --root: a Debian 12 root gets the host's verdict and, if needed, its own wrapper.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { FIXTURES, REPO_ROOT, runCommand, type RunResult } from '../lib/bed/bed.js';
import { isOurWrapper, parseVerdict } from '../lib/bed/breakpoints.js';
import { criuNear, gone, makeCriuHold } from '../lib/bed/criu-hold.js';

const SCRIPT = join(REPO_ROOT, 'test/env/breakpoints.sh');
const CRIU42 = `${FIXTURES}/criu-4.2.1/criu`;
const scratch = mkdtempSync('/tmp/cgt-bp-test-');
const sleeps = new Set<number>();

test.after(() => {
  for (const pid of sleeps) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
  rmSync(scratch, { recursive: true, force: true });
});

let serial = 0;

/** A fresh scratch FIXTURES with a wrapper path inside it. */
function bed(): { fixtures: string; wrapper: string; verdict: string } {
  const fixtures = join(scratch, `bed${serial++}`);
  mkdirSync(fixtures);
  return { fixtures, wrapper: join(fixtures, 'sbin/criu'), verdict: join(fixtures, 'breakpoints') };
}

function breakpoints(
  fixtures: string,
  forced: '' | 'delivered' | 'missing',
  args: string[],
  env: Record<string, string> = {},
): Promise<RunResult> {
  return runCommand('/bin/sh', [SCRIPT, ...args], {
    env: { FIXTURES: fixtures, CGHERD_TESTBED_BREAKPOINTS: forced, ...env },
    timeoutMs: 120_000,
  });
}

function verdictOf(file: string): ReturnType<typeof parseVerdict> {
  return parseVerdict(readFileSync(file, 'utf8'));
}

/** The probe's own temp dirs (test/env/breakpoints.sh's mktemp template). */
function probeTempDirs(): string[] {
  return readdirSync('/tmp').filter((n) => n.startsWith('cgt-breakpoints.'));
}

/** A session-leading `sleep 600` with stdio on /dev/null and cwd /, as the probe's own. */
function throwawaySleep(): number {
  const child = spawn('/bin/sleep', ['600'], { detached: true, stdio: 'ignore', cwd: '/' });
  child.unref();
  const pid = child.pid;
  if (pid === undefined) throw new Error('cannot start sleep');
  sleeps.add(pid);
  return pid;
}

const bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();

test('forced missing: the wrapper is written, and a real dump through it runs as criu with CRIU_FAULT=130', async () => {
  const b = bed();
  const r = await breakpoints(b.fixtures, 'missing', ['--wrapper', b.wrapper]);
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout + r.stderr, '', 'quiet on success');
  assert.ok(isOurWrapper(readFileSync(b.wrapper, 'utf8')), 'the wrapper carries the mark');
  const v = verdictOf(b.verdict);
  assert.equal(
    [v?.verdict, v?.source, v?.bootId, v?.wrapper],
    ['missing', 'forced', bootId, b.wrapper],
  );

  const sleep = throwawaySleep();
  const images = join(b.fixtures, 'img');
  mkdirSync(images);
  const hold = makeCriuHold(join(b.fixtures, 'hold'), 'post-dump');
  const env: Record<string, string> = {
    PATH: `${join(b.fixtures, 'sbin')}:${process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin'}`,
    CRIU_CONFIG_FILE: hold.config,
  };
  const childEnv = { ...process.env, ...env };
  delete childEnv.CRIU_FAULT;
  // By name, as libcriu's execlp finds it.
  const dump = new Promise<number>((resolve) => {
    const c = spawn(
      'criu',
      ['dump', '-t', String(sleep), '-D', images, '-o', 'dump.log', '-v4', '--shell-job'],
      {
        env: childEnv,
        stdio: 'ignore',
      },
    );
    c.on('exit', (code, signal) => resolve(code ?? 128 + (signal === 'SIGKILL' ? 9 : 15)));
    c.on('error', () => resolve(127));
  });
  let criu: number | undefined;
  try {
    const scriptPid = await hold.reached();
    criu = criuNear(scriptPid);
    assert.ok(criu !== undefined, 'no criu process above the action script');
    assert.is(readFileSync(`/proc/${criu}/comm`, 'utf8').trim(), 'criu');
    assert.is(readlinkSync(`/proc/${criu}/exe`), '/usr/sbin/criu');
    const environ = readFileSync(`/proc/${criu}/environ`, 'utf8').split('\0');
    assert.ok(
      environ.includes('CRIU_FAULT=130'),
      `CRIU's environment: ${environ.filter((e) => e.startsWith('CRIU')).join(' ')}`,
    );
  } finally {
    hold.release();
  }
  assert.is(await dump, 0, 'the dump through the wrapper failed');
  const log = readFileSync(join(images, 'dump.log'), 'utf8');
  assert.match(
    log,
    /Force no-breakpoints restore of \d+/,
    'CRIU did not take the no-breakpoint path',
  );
  assert.ok(await gone(sleep), 'a passed dump kills the dumped task');
});

test('forced delivered: an old wrapper of ours is removed, a file that is not ours stays', async () => {
  const b = bed();
  assert.is((await breakpoints(b.fixtures, 'missing', ['--wrapper', b.wrapper])).code, 0);
  assert.ok(existsSync(b.wrapper));
  const r = await breakpoints(b.fixtures, 'delivered', ['--wrapper', b.wrapper]);
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout + r.stderr, '', 'quiet on success');
  assert.not.ok(existsSync(b.wrapper), 'the old wrapper is still there');
  const v = verdictOf(b.verdict);
  assert.equal([v?.verdict, v?.source, v?.wrapper], ['delivered', 'forced', undefined]);

  const foreign = '#!/bin/sh\nexec /usr/sbin/criu "$@"\n';
  writeFileSync(b.wrapper, foreign, { mode: 0o755 });
  const kept = await breakpoints(b.fixtures, 'delivered', ['--wrapper', b.wrapper]);
  assert.is(kept.code, 0, kept.stderr);
  assert.match(kept.stderr, "is not the test bed's; it is left alone");
  assert.is(readFileSync(b.wrapper, 'utf8'), foreign);
  const refused = await breakpoints(b.fixtures, 'missing', ['--wrapper', b.wrapper]);
  assert.is.not(refused.code, 0, 'a file that is not ours was overwritten');
  assert.match(refused.stderr, "exists and is not the test bed's wrapper");
  assert.is(readFileSync(b.wrapper, 'utf8'), foreign);

  const bad = await breakpoints(b.fixtures, '', ['--wrapper', b.wrapper], {
    CGHERD_TESTBED_BREAKPOINTS: 'maybe',
  });
  assert.is.not(bad.code, 0);
  assert.match(bad.stderr, 'expected delivered or missing');
});

test("unforced: the verdict matches CRIU 4.2.1's own check on this machine; reused; probed again after a reboot", async () => {
  assert.ok(existsSync(CRIU42), `${CRIU42} missing: run make testbed`);
  // criu PR 2660: 4.2 tests a hardware breakpoint at start-up (kerndat_breakpoints).
  const check = await runCommand(CRIU42, ['check', '--feature', 'breakpoints'], {
    timeoutMs: 60_000,
  });
  const expected =
    check.code === 0 && /breakpoints is supported/.test(check.stdout) ? 'delivered' : 'missing';
  console.log(
    `  CRIU 4.2.1 check --feature breakpoints: exit ${check.code}, ${(check.stdout + check.stderr).trim()}`,
  );

  const b = bed();
  const before = probeTempDirs();
  const r = await breakpoints(b.fixtures, '', ['--wrapper', b.wrapper]);
  assert.is(r.code, 0, r.stderr);
  const v = verdictOf(b.verdict);
  console.log(`  probe: ${v?.verdict} in ${v?.probeSeconds} s`);
  assert.equal([v?.verdict, v?.source, v?.bootId], [expected, 'probed', bootId]);
  assert.is(existsSync(b.wrapper), expected === 'missing');
  assert.equal(probeTempDirs(), before, 'the probe left temp dirs');

  // Reused: the file is not rewritten while boot id and CRIU are the same.
  const first = readFileSync(b.verdict, 'utf8');
  writeFileSync(b.verdict, `${first}note=kept\n`);
  assert.is((await breakpoints(b.fixtures, '', ['--wrapper', b.wrapper])).code, 0);
  assert.match(readFileSync(b.verdict, 'utf8'), 'note=kept');

  // Another boot id, as after a reboot: probed again, this boot's id recorded.
  writeFileSync(
    b.verdict,
    first.replace(`boot_id=${bootId}`, 'boot_id=00000000-0000-0000-0000-000000000000'),
  );
  assert.is((await breakpoints(b.fixtures, '', ['--wrapper', b.wrapper])).code, 0);
  assert.equal([verdictOf(b.verdict)?.bootId, verdictOf(b.verdict)?.verdict], [bootId, expected]);

  // Another CRIU version: probed again too.
  writeFileSync(b.verdict, first.replace(/^criu=.*$/m, 'criu=0.0'));
  assert.is((await breakpoints(b.fixtures, '', ['--wrapper', b.wrapper])).code, 0);
  assert.is.not(verdictOf(b.verdict)?.criu, '0.0');

  // A forced verdict is never reused by an unforced run.
  const other = expected === 'delivered' ? 'missing' : 'delivered';
  assert.is((await breakpoints(b.fixtures, other, ['--wrapper', b.wrapper])).code, 0);
  assert.is((await breakpoints(b.fixtures, '', ['--wrapper', b.wrapper])).code, 0);
  assert.equal([verdictOf(b.verdict)?.verdict, verdictOf(b.verdict)?.source], [expected, 'probed']);
  assert.is(existsSync(b.wrapper), expected === 'missing');
});

/** A stand-in CRIU: `--version` says 4.1.1; `dump` behaves as `how` says. */
function fakeCriu(dir: string, how: 'hang-unless-fault' | 'hang' | 'fail'): string {
  const path = join(dir, 'fake', 'criu');
  mkdirSync(join(dir, 'fake'), { recursive: true });
  const dump = {
    // Like CRIU 4.1.1 on a machine without breakpoints.
    'hang-unless-fault':
      '[ "${CRIU_FAULT:-}" = 130 ] && exec /usr/sbin/criu "$@"; exec /bin/sleep 600',
    hang: 'exec /bin/sleep 600',
    fail: 'echo "(00.000001) Error (fake): cannot dump" > "$dir/dump.log"; exit 1',
  }[how];
  writeFileSync(
    path,
    '#!/bin/sh\n' +
      '[ "$1" = --version ] && { echo "Version: 4.1.1"; exit 0; }\n' +
      'dir=.; prev=; for a in "$@"; do [ "$prev" = -D ] && dir=$a; prev=$a; done\n' +
      `${dump}\n`,
  );
  chmodSync(path, 0o755);
  return path;
}

// The timeout below only bounds a stand-in that never returns: no assertion depends on it.
const SHORT = { CGHERD_TESTBED_PROBE_TIMEOUT: '5' };

test('the probe: a dump that hangs without CRIU_FAULT=130 and passes with it gives missing and a wrapper', async () => {
  const b = bed();
  const fake = fakeCriu(b.fixtures, 'hang-unless-fault');
  const before = probeTempDirs();
  const r = await breakpoints(b.fixtures, '', ['--wrapper', b.wrapper, '--criu', fake], SHORT);
  assert.is(r.code, 0, r.stderr);
  const v = verdictOf(b.verdict);
  assert.equal([v?.verdict, v?.source, v?.criu], ['missing', 'probed', '4.1.1']);
  assert.ok(isOurWrapper(readFileSync(b.wrapper, 'utf8')));
  assert.match(readFileSync(b.wrapper, 'utf8'), `exec '${fake}' "$@"`);
  assert.equal(probeTempDirs(), before, 'the probe left temp dirs');
});

test('the probe: hard failures name the cause and show the log; no verdict, no wrapper', async () => {
  for (const how of ['hang', 'fail'] as const) {
    const b = bed();
    const fake = fakeCriu(b.fixtures, how);
    const before = probeTempDirs();
    const r = await breakpoints(b.fixtures, '', ['--wrapper', b.wrapper, '--criu', fake], SHORT);
    assert.is.not(r.code, 0, `${how}: the probe passed`);
    assert.match(
      r.stderr,
      how === 'hang'
        ? 'hung for 5s dumping a plain sleep, and failed with CRIU_FAULT=130 too'
        : 'this is not the breakpoint hang',
    );
    if (how === 'fail') assert.match(r.stderr, 'Error (fake): cannot dump');
    assert.not.ok(existsSync(b.verdict), `${how}: a verdict was recorded`);
    assert.not.ok(existsSync(b.wrapper), `${how}: a wrapper was written`);
    assert.equal(probeTempDirs(), before, `${how}: the probe left temp dirs`);
  }
});

test("--root: a Debian 12 root gets the host's verdict and its own wrapper, or none", async () => {
  const b = bed();
  const root = join(b.fixtures, 'root');
  mkdirSync(join(root, 'bin'), { recursive: true });
  symlinkSync('/bin/sh', join(root, 'bin/sh'));
  const inRoot = join(root, 'usr/local/sbin/criu');
  const r = await breakpoints(b.fixtures, 'missing', ['--wrapper', b.wrapper, '--root', root]);
  assert.is(r.code, 0, r.stderr);
  assert.ok(isOurWrapper(readFileSync(inRoot, 'utf8')), 'no wrapper in the root');
  assert.match(readFileSync(inRoot, 'utf8'), `exec '/usr/sbin/criu' "$@"`);
  assert.is(readFileSync(join(root, b.verdict), 'utf8'), readFileSync(b.verdict, 'utf8'));
  const d = await breakpoints(b.fixtures, 'delivered', ['--wrapper', b.wrapper, '--root', root]);
  assert.is(d.code, 0, d.stderr);
  assert.not.ok(existsSync(inRoot), 'the root kept its wrapper');
  assert.is(verdictOf(join(root, b.verdict))?.verdict, 'delivered');
});

test.run();
