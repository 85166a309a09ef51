// Faults in the middle of a checkpoint or a restore through cgherd over crun 1.8.1, v1 and
// v2, injected at a known point: CRIU is held in an action script (test/lib/bed/criu-hold.ts)
// while the fault lands, then let go.
// - SIGTERM and SIGKILL to cgherd (the process the engine started) during checkpoint
//   (CRIU held after the dump, the tree frozen) and during restore (held after the
//   restore, before the tasks resume);
// - CRIU itself killed mid-restore.
// Each prints the user's exit code and error and the container's state afterwards, and
// asserts: nothing outside the container touched, no cgroup left frozen, and a restore
// CRIU did not complete is not reported as a success.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MODES, RUNTIMES, type CgroupMode, type RunResult } from '../lib/bed/bed.js';
import { TREE8_SIZE } from '../lib/scenario/bundle.js';
import { cleanupPrefix } from '../lib/bed/cleanup.js';
import { criuNear, gone, makeCriuHold, type CriuStage } from '../lib/bed/criu-hold.js';
import { pathHasSegment } from '../lib/cgroups/cgroups.js';
import { cgroupsWhere } from '../lib/scenario/load.js';
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  assertBystandersUntouched,
  criuConfigFiles,
  frozenWithPrefix,
  lowerStatus,
  startBystanders,
  stopBystanders,
} from '../lib/scenario/fault.js';
import { Scenario, descendants, readPpidTable, viaCgherd } from '../lib/scenario/scenario.js';

const PREFIX = 'cgt-fault-sig-';
const CRIU_CONFIG_DIR = '/run/cgherd/criu';

test.after(async () => {
  await cleanupPrefix(PREFIX);
  // A SIGKILLed cgherd cannot remove its per-restore CRIU config file (measured: one per
  // restore killed that way); these are the test's own.
  for (const f of readdirSync(CRIU_CONFIG_DIR)) {
    if (f.startsWith(`restore-${PREFIX}`)) rmSync(join(CRIU_CONFIG_DIR, f), { force: true });
  }
});

type Op = 'checkpoint' | 'restore';
type Fault = 'SIGTERM to cgherd' | 'SIGKILL to cgherd' | 'SIGKILL to CRIU';

interface Observed {
  call: RunResult;
  status: string;
  members: number;
  frozen: string[];
  criuLeft: number;
  configFiles: string[];
  restoreLog: string;
  inCgroups: number;
}

let serial = 0;

async function inject(mode: CgroupMode, op: Op, fault: Fault): Promise<Observed> {
  const n = serial++;
  const stage: CriuStage = op === 'checkpoint' ? 'post-dump' : 'post-restore';
  const sc0 = new Scenario(mode, viaCgherd(RUNTIMES.crun181, 'cgherd over crun 1.8.1'), PREFIX);
  const hold = makeCriuHold(sc0.path('hold'), stage);
  const sc = sc0.through({ ...sc0.rt, env: { ...sc0.rt.env, CRIU_CONFIG_FILE: hold.config } });
  const bystanders = await startBystanders(sc0, `${PREFIX}${n}by`);
  try {
    const a = `${PREFIX}${n}a`;
    const b = `${PREFIX}${n}b`;
    assert.is((await sc.run(a, await sc.bundle('a', { tree: 'tree8' }))).code, 0);
    await sc.waitForTree(a, TREE8_SIZE);
    let cgherdPid = 0;
    const onSpawn = (pid: number): void => {
      cgherdPid = pid;
    };
    const image = sc.path('image');
    let pending: Promise<RunResult>;
    let target = a;
    if (op === 'checkpoint') {
      pending = sc.checkpoint(a, image, { onSpawn });
    } else {
      assert.is((await sc.checkpoint(a, image)).code, 0);
      target = b;
      pending = sc.restore(b, await sc.bundle('b', { tree: 'tree8' }), image, { onSpawn });
    }
    const criu = criuNear(await hold.reached());
    assert.ok(criu !== undefined, 'no CRIU process above the held script');
    if (fault === 'SIGKILL to CRIU') process.kill(criu, 'SIGKILL');
    else process.kill(cgherdPid, fault === 'SIGTERM to cgherd' ? 'SIGTERM' : 'SIGKILL');
    await new Promise((r) => setTimeout(r, 200));
    hold.release();
    const call = await pending;
    const criuLeft = (await gone(criu)) ? 0 : 1;
    await new Promise((r) => setTimeout(r, 300));
    const status = await lowerStatus(sc, target);
    let members = 0;
    if (status === 'running') {
      const init = await sc.initPid(target);
      members = 1 + descendants(init, readPpidTable()).length;
    }
    const restoreLog =
      op === 'restore'
        ? ((await sc.restoreLog(image).catch(() => ''))
            .split('\n')
            .filter((l) => /Error|finished/i.test(l))
            .slice(-2)
            .join(' | ') ?? '')
        : '';
    // Processes still in the target's cgroups: a container the runtime may not know.
    const inCgroups = new Set(
      cgroupsWhere((rel) => pathHasSegment(rel, target)).flatMap((dir) =>
        readFileSync(`${dir}/cgroup.procs`, 'utf8').split('\n').filter(Boolean),
      ),
    ).size;
    const observed: Observed = {
      call,
      status,
      members,
      frozen: frozenWithPrefix(PREFIX),
      criuLeft,
      configFiles: criuConfigFiles(b),
      restoreLog,
      inCgroups,
    };
    console.log(
      `  ${mode} ${op}, ${fault}: user sees exit ${call.code}` +
        `${call.stderr.trim() ? ` "${call.stderr.trim().slice(0, 200)}"` : ', no error'}; ` +
        `${target} ${status}, ${members} processes in its tree, ${inCgroups} in its cgroups; ` +
        `frozen ${observed.frozen.length}; ` +
        `CRIU left ${criuLeft}; restore config files left ${observed.configFiles.length}` +
        `${restoreLog ? `; restore.log: ${restoreLog.slice(0, 160)}` : ''}`,
    );
    assertBystandersUntouched(bystanders);
    assert.equal(observed.frozen, [], 'a cgroup was left frozen');
    assert.is(criuLeft, 0, 'CRIU still running');
    return observed;
  } finally {
    hold.release(); // never leave CRIU held, whatever failed
    stopBystanders(bystanders);
    await sc0.cleanup();
  }
}

for (const mode of MODES) {
  for (const fault of ['SIGTERM to cgherd', 'SIGKILL to cgherd'] as const) {
    test(`${mode}: ${fault} during checkpoint: bystanders untouched, nothing frozen`, async () => {
      const o = await inject(mode, 'checkpoint', fault);
      assert.is(o.call.code, fault === 'SIGTERM to cgherd' ? 143 : 137);
    });

    test(`${mode}: ${fault} during restore: bystanders untouched, nothing frozen`, async () => {
      const o = await inject(mode, 'restore', fault);
      if (fault === 'SIGKILL to cgherd') {
        assert.is(o.call.code, 137);
        return;
      }
      // Held until cgherd exits (hooks/restore-signals.ts): the restore
      // completes, crun records it, and the container runs whole.
      assert.is(o.call.code, 0, o.call.stderr);
      assert.is(o.status, 'running');
      assert.is(o.members, TREE8_SIZE);
      assert.equal(o.configFiles, [], 'the per-restore CRIU config file is removed');
    });
  }

  test(`${mode}: CRIU killed mid-restore: the restore fails, clearly, nothing frozen`, async () => {
    const o = await inject(mode, 'restore', 'SIGKILL to CRIU');
    assert.is.not(o.call.code, 0, 'a restore CRIU did not finish is reported as a success');
    assert.ok(o.call.stderr.trim() !== '', 'the user sees an error');
    assert.is.not(o.status, 'running');
    assert.equal(o.configFiles, [], 'the per-restore CRIU config file is removed');
  });
}

test.run();
