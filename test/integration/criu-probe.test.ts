// The breakpoint probe itself, with the host's real CRIU and with two stand-ins that hang
// the way CRIU < 4.2 does on a host without hardware breakpoints: one hangs unless
// CRIU_FAULT=130 is set (then it is the real CRIU), one hangs always. Checked each time:
// the verdict and its detail, and that nothing is left behind (the throwaway process,
// CRIU and anything it forked, the temporary images).

import { chmodSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { probeBreakpoints } from '../../src/criu/breakpoint-probe.js';

const dir = mkdtempSync('/tmp/cgt-probe-');
chmodSync(dir, 0o755);
test.after(() => rmSync(dir, { recursive: true, force: true }));

/** A stand-in CRIU: a shell that waits on a child (so a kill must reach the group). */
function standIn(name: string, passWithFault: boolean): string {
  const file = join(dir, name);
  writeFileSync(
    file,
    '#!/bin/sh\n' +
      (passWithFault ? '[ "$CRIU_FAULT" = 130 ] && exec /usr/sbin/criu "$@"\n' : '') +
      '/bin/sleep 987654 &\nwait\n',
  );
  chmodSync(file, 0o755);
  return file;
}

/** Processes left that the probe made: the stand-in's sleep, the throwaway (a child of
 *  this process), any CRIU. */
function leftovers(): string[] {
  const out: string[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const cmd = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').join(' ').trim();
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (cmd.includes('987654') || ppid === process.pid) out.push(`${name} ${cmd}`);
    } catch {
      // gone
    }
  }
  return out;
}

function probeDirsLeft(): string[] {
  return readdirSync(dir).filter((n) => n.startsWith('.breakpoint-probe-'));
}

test('the host’s CRIU: a verdict, nothing left behind', async () => {
  const o = await probeBreakpoints('/usr/sbin/criu', { timeoutMs: 10_000, workDir: dir });
  console.log(`  /usr/sbin/criu: ${o.verdict} (${o.detail}), ${o.ms} ms`);
  assert.ok(['delivered', 'missing'].includes(o.verdict), o.detail);
  assert.equal(leftovers(), []);
  assert.equal(probeDirsLeft(), []);
});

test('a CRIU that hangs without CRIU_FAULT=130: "missing"; the hung one is killed with its child', async () => {
  const o = await probeBreakpoints(standIn('criu-nobp', true), { timeoutMs: 1000, workDir: dir });
  console.log(`  hangs unless CRIU_FAULT=130: ${o.verdict} (${o.detail}), ${o.ms} ms`);
  assert.is(o.verdict, 'missing');
  assert.match(o.detail, /hung for 1 s; with CRIU_FAULT=130 it passed in \d+ ms/);
  assert.equal(leftovers(), []);
  assert.equal(probeDirsLeft(), []);
});

test('a CRIU that always hangs: "dump-fails", said so, nothing left', async () => {
  const o = await probeBreakpoints(standIn('criu-hang', false), { timeoutMs: 500, workDir: dir });
  assert.is(o.verdict, 'dump-fails');
  assert.is(o.detail, 'a probe dump hung for 0.5 s, with CRIU_FAULT=130 too');
  assert.equal(leftovers(), []);
  assert.equal(probeDirsLeft(), []);
});

test('a CRIU that fails at once: "dump-fails" with its exit status', async () => {
  const o = await probeBreakpoints('/bin/false', { timeoutMs: 5000, workDir: dir });
  assert.is(o.verdict, 'dump-fails');
  assert.match(o.detail, 'criu dump exited 1');
  assert.equal(leftovers(), []);
  assert.equal(probeDirsLeft(), []);
});

test.run();
