// One signal in the middle of a restore, real crun 1.8.1 and real CRIU: CRIU is held after
// it has restored the tree and before it resumes it (test/lib/bed/criu-hold.ts), the signal
// lands, CRIU is let go. Through cgherd the signal is held (hooks/restore-signals.ts):
// crun records the container, the herd runs, cgherd exits with crun's status, 0. The
// control is bare crun under the same signal at the same point: it dies before its state
// record and leaves the restored tree running where no `state`, `kill` or `delete` finds
// it. SIGQUIT (issue 18) and SIGTERM (whose hold had no control).

import { readFileSync, readdirSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MODES, RUNTIMES, type CgroupMode, type RunResult } from '../lib/bed/bed.js';
import { TREE8_SIZE, tree8Role } from '../lib/scenario/bundle.js';
import { cleanupPrefix } from '../lib/bed/cleanup.js';
import { alive, criuNear, gone, makeCriuHold } from '../lib/bed/criu-hold.js';
import { lowerStatus } from '../lib/scenario/fault.js';
import { until } from '../lib/bed/poll.js';
import { Scenario, bare, cmdline, readPpidTable, viaCgherd } from '../lib/scenario/scenario.js';
import { herdLogLines } from '../lib/scenario/sec-lib.js';

const PREFIX = 'cgt-sigrs-';
test.after(() => cleanupPrefix(PREFIX));

type Through = 'cgherd' | 'bare crun';

interface Observed {
  call: RunResult;
  /** crun's word on the restored id: running, or why `state` failed. */
  status: string;
  /** Live tree8 processes in a cgroup of this case's containers: the restored tree. */
  restored: number[];
  /** Restored processes outside the tree crun has recorded. */
  orphans: number[];
  strays: number[] | undefined;
  herds: number;
}

function restoredProcesses(idStem: string): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .filter((pid) => {
      try {
        return (
          tree8Role(cmdline(pid)) !== undefined &&
          alive(pid) &&
          readFileSync(`/proc/${pid}/cgroup`, 'utf8').includes(idStem)
        );
      } catch {
        return false;
      }
    });
}

let serial = 0;

async function signalMidRestore(
  mode: CgroupMode,
  signal: NodeJS.Signals,
  through: Through,
): Promise<Observed> {
  const stem = `${PREFIX}${serial++}`;
  const crun = bare(RUNTIMES.crun181, 'crun 1.8.1');
  const sc = new Scenario(mode, crun, PREFIX);
  const hold = makeCriuHold(sc.path('hold'), 'post-restore');
  const log = sc.path('debug.log');
  const env = { CRIU_CONFIG_FILE: hold.config };
  const restorer = sc.through(
    through === 'cgherd'
      ? viaCgherd(RUNTIMES.crun181, 'cgherd over crun 1.8.1', {
          ...env,
          DEBUG: 'cgherd:*',
          CGHERD_DEBUG_LOG: log,
        })
      : { ...crun, env },
  );
  const heldInLog = (): boolean => {
    try {
      return readFileSync(log, 'utf8').includes(`${signal} held`);
    } catch {
      return false;
    }
  };
  try {
    const a = `${stem}a`;
    const b = `${stem}b`;
    assert.is((await sc.run(a, await sc.bundle('a', { tree: 'tree8' }))).code, 0);
    await sc.waitForTree(a, TREE8_SIZE);
    const image = sc.path('image');
    assert.is((await sc.checkpoint(a, image)).code, 0);
    let pid = 0;
    const pending = restorer.restore(b, await sc.bundle('b', { tree: 'tree8' }), image, {
      onSpawn: (p) => (pid = p),
    });
    const criu = criuNear(await hold.reached());
    assert.ok(criu !== undefined, 'no CRIU process above the held script');
    // crun 1.8.1 runs CRIU as its own child (swrk).
    const lower = readPpidTable().get(criu) ?? 0;
    process.kill(pid, signal);
    // Until the signal has done its work: held by cgherd, or crun dead.
    await until(() => heldInLog() || !alive(lower), 10_000);
    hold.release();
    const call = await pending;
    assert.ok(await gone(criu), 'CRIU still running');
    const status = await lowerStatus(sc, b);
    const recorded = status === 'running' ? await sc.tree(await sc.initPid(b)) : [];
    const restored = restoredProcesses(stem);
    const placement = status === 'running' ? await sc.placement(b) : undefined;
    const herds = through === 'cgherd' ? herdLogLines(readFileSync(log, 'utf8')).length : 0;
    const o: Observed = {
      call,
      status,
      restored,
      orphans: restored.filter((p) => !recorded.includes(p)),
      strays: placement?.strays,
      herds,
    };
    console.log(
      `  ${mode}, ${signal} to ${through} mid-restore: exit ${call.code}` +
        `${call.stderr.trim() ? ` "${call.stderr.trim().slice(0, 160)}"` : ''}; ` +
        `${b} ${status}; ${restored.length} restored processes alive, ` +
        `${o.orphans.length} outside crun's record; strays ${o.strays?.length ?? '-'}; ` +
        `herds logged ${herds}`,
    );
    return o;
  } finally {
    hold.release(); // never leave CRIU held, whatever failed
    await sc.cleanup();
  }
}

for (const mode of MODES) {
  for (const signal of ['SIGQUIT', 'SIGTERM'] as const) {
    test(`${mode}: ${signal} to cgherd mid-restore: held, crun records the container, the herd finishes`, async () => {
      const o = await signalMidRestore(mode, signal, 'cgherd');
      assert.is(o.call.code, 0, o.call.stderr);
      assert.is(o.status, 'running');
      assert.is(o.restored.length, TREE8_SIZE);
      assert.equal(o.orphans, [], 'restored processes outside crun’s record');
      assert.equal(o.strays, []);
      assert.is(o.herds, 1, 'the herd after the restore did not finish');
    });

    test(`${mode}: control: ${signal} to bare crun 1.8.1 mid-restore orphans the restored tree`, async () => {
      const o = await signalMidRestore(mode, signal, 'bare crun');
      assert.is.not(o.call.code, 0);
      assert.is.not(o.status, 'running');
      assert.ok(o.orphans.length > 0, 'no orphan: this control shows nothing');
    });
  }
}

test.run();
