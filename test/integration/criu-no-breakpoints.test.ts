// Issue 17, the runtime face on hosts without hardware breakpoints: with a forced probe
// result "missing", a checkpoint → restore (new id) → checkpoint → restore cycle through
// cgherd over crun 1.8.1 completes on v1 and v2, and every CRIU crun started really got
// CRIU_FAULT=130: a recording `criu` first on the runtime's PATH logs its environment and
// execs /usr/sbin/criu, so a real CRIU does the work. With a forced "delivered", CRIU gets
// no CRIU_FAULT. A cache cgherd must not believe (another boot, corrupt, not root's, not a
// file) is ignored: cgherd probes again, so CRIU gets what this machine's own probe says.
// The control (bare crun 1.8.1 hangs until killed) needs a host without breakpoints: it
// runs on such a host and says so; on a host with them it shows bare crun passing.

import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MODES, RUNTIMES, type CgroupMode } from '../lib/bed/bed.js';
import { cleanupPrefix } from '../lib/bed/cleanup.js';
import { Scenario, bare, viaCgherd, type RuntimeUnderTest } from '../lib/scenario/scenario.js';
import { assertAllCycles, runCycles } from '../lib/cgroups/herd-lib.js';
import { probeBreakpoints, type ProbeOutcome } from '../../src/criu/breakpoint-probe.js';
import type { ProbeRecord } from '../../src/criu/breakpoint-verdict.js';
import { criuStamp } from '../../src/criu/criu-binary.js';
import { formatProbeRecord, parseProbeRecord, readBootId } from '../../src/criu/probe-cache.js';

const PREFIX = 'cgt-nobp-';
const HOST_CRIU = '/usr/sbin/criu';
const dir = mkdtempSync(`/tmp/${PREFIX}t-`);
chmodSync(dir, 0o755);
const shimDir = join(dir, 'bin');
const shim = join(shimDir, 'criu');
mkdirSync(shimDir, { mode: 0o755 });
// Logs the first argument (crun runs `criu swrk N`) and CRIU_FAULT, then is the real CRIU.
writeFileSync(
  shim,
  '#!/bin/sh\n' +
    'printf \'%s CRIU_FAULT=%s\\n\' "$1" "${CRIU_FAULT-unset}" >> "${CGT_CRIU_LOG:-/dev/null}"\n' +
    `exec ${HOST_CRIU} "$@"\n`,
);
chmodSync(shim, 0o755);
const SHIM_PATH = `${shimDir}:/usr/sbin:/usr/bin:/sbin:/bin`;

let machine: ProbeOutcome | undefined;

test.before(async () => {
  machine = await probeBreakpoints(HOST_CRIU, { timeoutMs: 10_000, workDir: dir });
  console.log(`  this machine's own probe of ${HOST_CRIU}: ${machine.verdict} (${machine.detail})`);
});

test.after(async () => {
  await cleanupPrefix(PREFIX);
  rmSync(dir, { recursive: true, force: true });
});

let serial = 0;

/** A cache file saying `verdict` for the shim, this boot; `over` makes it wrong. */
function forcedCache(verdict: ProbeRecord['verdict'], over: Partial<ProbeRecord> = {}): string {
  const file = join(dir, `cache-${serial++}.json`);
  const record: ProbeRecord = {
    bootId: readBootId() ?? '?',
    criuPath: shim,
    criuStamp: criuStamp(shim) ?? '?',
    criuVersion: '4.1.1',
    verdict,
    detail: 'forced by the test',
    ms: 0,
    probedAt: new Date().toISOString(),
    ...over,
  };
  writeFileSync(file, formatProbeRecord(record), { mode: 0o644 });
  return file;
}

function through(cache: string, log: string, label: string): RuntimeUnderTest {
  return viaCgherd(RUNTIMES.crun181, label, {
    PATH: SHIM_PATH,
    CGHERD_CRIU_PROBE_CACHE: cache,
    CGT_CRIU_LOG: log,
  });
}

/** The CRIU_FAULT of every `criu swrk` crun started, in order. */
function swrkFaults(log: string): string[] {
  if (!existsSync(log)) return [];
  return readFileSync(log, 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('swrk '))
    .map((l) => l.replace(/^swrk CRIU_FAULT=/, ''));
}

/** run a single-process container, checkpoint it once; the checkpoint's exit code. */
async function checkpointOnce(mode: CgroupMode, rt: RuntimeUnderTest, timeoutMs?: number) {
  const sc = new Scenario(mode, rt, PREFIX);
  if (timeoutMs !== undefined) sc.timeoutMs = timeoutMs;
  try {
    const id = `${PREFIX}${serial++}c`;
    const run = await sc.run(id, await sc.bundle('b', { tree: 'single' }));
    assert.is(run.code, 0, run.stderr);
    await sc.waitForTree(id, 1);
    const started = Date.now();
    const r = await sc.checkpoint(id, sc.path('image'));
    return { ...r, ms: Date.now() - started };
  } finally {
    await sc.cleanup();
  }
}

/** Every `criu swrk` had CRIU_FAULT `value`, and there were at least `min` of them (crun
 *  also starts one to ask CRIU's version, so a checkpoint makes more than one). */
function assertFaults(log: string, value: string, min: number): void {
  const faults = swrkFaults(log);
  assert.ok(faults.length >= min, `${faults.length} criu swrk calls, expected at least ${min}`);
  assert.equal([...new Set(faults)], [value], `CRIU_FAULT of each call: ${faults.join(' ')}`);
}

const expectedFromMachine = (): string => (machine?.verdict === 'missing' ? '130' : 'unset');

for (const mode of MODES) {
  test(`${mode}: forced "missing": checkpoint → restore → checkpoint → restore over crun 1.8.1, CRIU got CRIU_FAULT=130`, async () => {
    const log = join(dir, `calls-${mode}-missing.log`);
    const o = await runCycles(
      mode,
      through(forcedCache('missing'), log, 'cgherd over crun 1.8.1, forced missing'),
      PREFIX,
      'new',
      2,
    );
    assertAllCycles(`${mode} cgherd/crun 1.8.1 forced missing`, o, 2);
    const faults = swrkFaults(log);
    console.log(
      `  ${mode} forced missing: criu swrk calls ${faults.length}, CRIU_FAULT ${[...new Set(faults)].join(',')}`,
    );
    assertFaults(log, '130', 4);
  });

  test(`${mode}: forced "delivered": CRIU gets no CRIU_FAULT`, async () => {
    const log = join(dir, `calls-${mode}-delivered.log`);
    const o = await runCycles(
      mode,
      through(forcedCache('delivered'), log, 'cgherd over crun 1.8.1, forced delivered'),
      PREFIX,
      'new',
      1,
    );
    assertAllCycles(`${mode} cgherd/crun 1.8.1 forced delivered`, o, 1);
    assertFaults(log, 'unset', 2);
  });
}

// 129 is CRIU's "no memfd" fault: harmless, and not the 130 cgherd would add.
test('v1: the caller’s own CRIU_FAULT is kept over a forced "missing"', async () => {
  const log = join(dir, 'calls-caller.log');
  const rt = through(forcedCache('missing'), log, 'cgherd, caller CRIU_FAULT=129');
  rt.env = { ...rt.env, CRIU_FAULT: '129' };
  const r = await checkpointOnce('v1', rt);
  assert.is(r.code, 0, r.stderr);
  assertFaults(log, '129', 1);
});

// Bad inputs: each is ignored, cgherd probes again (on this machine, for real) and the
// CRIU gets what that probe says; the cache is rewritten as root's for this boot when it can be.
const BAD: [string, () => string][] = [
  ['from another boot', () => forcedCache('missing', { bootId: 'another-boot' })],
  [
    'corrupt',
    () => {
      const f = forcedCache('missing');
      writeFileSync(f, '{"bootId": "half a rec');
      return f;
    },
  ],
  [
    'not owned by root',
    () => {
      const f = forcedCache('missing');
      chownSync(f, 65534, 65534);
      return f;
    },
  ],
  [
    'writable by others',
    () => {
      const f = forcedCache('missing');
      chmodSync(f, 0o666);
      return f;
    },
  ],
  [
    'not a file (unreadable as a record)',
    () => {
      const f = join(dir, `cache-${serial++}.json`);
      mkdirSync(f);
      return f;
    },
  ],
];

for (const [what, make] of BAD) {
  test(`v1: a forced "missing" cache ${what} is ignored; CRIU gets this machine's own answer`, async () => {
    const cache = make();
    const log = join(dir, `calls-bad-${serial++}.log`);
    const r = await checkpointOnce('v1', through(cache, log, `cgherd, cache ${what}`));
    assert.is(r.code, 0, r.stderr);
    assertFaults(log, expectedFromMachine(), 1);
    if (what.startsWith('not a file')) return; // nothing can be renamed over a directory
    const rewritten = parseProbeRecord(readFileSync(cache, 'utf8'));
    assert.type(rewritten, 'object', String(rewritten));
    const record = rewritten as ProbeRecord;
    assert.is(record.bootId, readBootId());
    assert.is(record.verdict, machine?.verdict);
    console.log(`  cache ${what}: re-probed (${record.detail}), rewritten`);
  });
}

test('control: bare crun 1.8.1 hangs in a dump only on a host without breakpoints', async () => {
  const rt: RuntimeUnderTest = {
    ...bare(RUNTIMES.crun181, 'crun 1.8.1'),
    // The host's own CRIU, whatever wrapper a test bed may have put in /usr/local/sbin.
    env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' },
  };
  if (machine?.verdict === 'missing') {
    const r = await checkpointOnce('v1', rt, 30_000);
    console.log(
      `  this host lacks hardware breakpoints: bare crun 1.8.1 checkpoint ended ${r.code} after ${r.ms} ms (killed by the test's timeout)`,
    );
    assert.is(r.code, 137, 'bare crun 1.8.1 must hang until killed here');
    return;
  }
  const r = await checkpointOnce('v1', rt);
  console.log(
    `  control not shown: this host delivers hardware breakpoints (its probe: ${machine?.verdict}, ${machine?.detail}); ` +
      `bare crun 1.8.1 checkpoints here (exit ${r.code} in ${r.ms} ms)`,
  );
  assert.is(machine?.verdict, 'delivered');
  assert.is(r.code, 0, r.stderr);
});

test.run();
