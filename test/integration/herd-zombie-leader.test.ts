// Issue 11, item 2: a process whose main thread has exited (pthread_exit in main) shows as
// Z with num_threads > 1, yet its live thread and the child that thread forked sit in a
// cgroup like any process. CRIU 4.1.1 cannot dump such a process ("Zombies with threads are
// not supported", measured), so it cannot come out of a restore: a stray shell of a
// container restored under a new id by bare crun 1.8.1 starts the static C helper
// (test/fixtures/c/zombie-leader.c) on SIGUSR1, and the helper inherits the stray cgroup.
// Copy b is checkpointed through cgherd: the herd must move the live thread and its child
// into the init's cgroup (then CRIU refuses the Z leader, or on v2 cgherd does: FIXME
// below); once the leader is killed, a bare checkpoint passes, so the child was herded. Control, copy c: every other
// stray is moved by hand, as the older rule (Z means gone: never moved, children never
// listed) left it; with the leader killed, a bare checkpoint fails on its child.

import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MODES, RUNTIMES, type CgroupMode } from '../lib/bed/bed.js';
import { before } from '../lib/bed/before.js';
import {
  cgroupsForMode,
  differingHierarchies,
  mirrorCgroups,
  parseProcCgroup,
} from '../lib/cgroups/cgroups.js';
import { cleanupPrefix } from '../lib/bed/cleanup.js';
import { checkpointArgv } from '../lib/scenario/cr-argv.js';
import { Scenario, bare, cmdline, readPpidTable } from '../lib/scenario/scenario.js';
import {
  cgherdIn,
  compileStatic,
  dumpErrors,
  herdLogLines,
  restoreCopies,
} from '../lib/scenario/sec-lib.js';

const PREFIX = 'cgt-sec-zlead-';
// The child shell starts the helper when told to; `wait` returns to run the trap.
const SCRIPT = [
  '/bin/sh -c \'trap "/zombie-leader &" USR1; sleep 100002 & while :; do wait; done\' child &',
  'while :; do sleep 100001; done',
].join('\n');
const RESTORED = 4; // init, its sleep, the child shell, its sleep
const SIZE = 6; // and the Z leader, and the child of its live thread
let helper = '';

before(test, () => {
  helper = compileStatic(PREFIX, 'zombie-leader.c');
});
test.after(async () => {
  await cleanupPrefix(PREFIX);
});

function stat(pid: number): { state: string; threads: number } {
  const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { state: fields[0] ?? '', threads: Number(fields[17]) };
}

/** The cgroups of one thread (a Z leader's own file may show where the leader died). */
function taskCgroups(pid: number, tid: number, mode: CgroupMode): Map<string, string> {
  const text = readFileSync(`/proc/${pid}/task/${tid}/cgroup`, 'utf8');
  return cgroupsForMode(parseProcCgroup(text), mode);
}

interface ZTree {
  init: number;
  leader: number;
  thread: number;
  child: number;
}

function findZTree(init: number, members: readonly number[]): ZTree {
  const leaders = members.filter((pid) => stat(pid).state === 'Z' && stat(pid).threads > 1);
  assert.is(leaders.length, 1, `one Z leader with live threads among ${members.join(',')}`);
  const leader = leaders[0] as number;
  const thread = Number(readdirSync(`/proc/${leader}/task`).find((t) => Number(t) !== leader));
  const ppids = readPpidTable();
  const child = members.find((pid) => ppids.get(pid) === leader);
  assert.ok(child !== undefined, 'the live thread forked a child');
  return { init, leader, thread, child };
}

/** Hierarchies where a thread (tid) of pid is not in the init's cgroup. */
function misplaced(z: ZTree, pid: number, tid: number, mode: CgroupMode): string[] {
  return differingHierarchies(taskCgroups(pid, tid, mode), taskCgroups(z.init, z.init, mode));
}

function describe(z: ZTree, mode: CgroupMode): string {
  const s = stat(z.leader);
  const where = (pid: number, tid: number): string =>
    [...taskCgroups(pid, tid, mode).entries()].find(([k]) => /freezer|unified/.test(k))?.[1] ?? '?';
  return (
    `leader ${z.leader} state ${s.state} num_threads ${s.threads}; ` +
    `init ${where(z.init, z.init)}, leader's own ${where(z.leader, z.leader)}, ` +
    `live thread ${z.thread} ${where(z.leader, z.thread)}, child ${z.child} ${where(z.child, z.child)}`
  );
}

/** Signals the child shell of a restored copy to start the helper; returns its tree. */
async function startHelper(sc: Scenario, id: string, members: readonly number[]): Promise<ZTree> {
  const shell = members.find((pid) => cmdline(pid).at(-1) === 'child');
  assert.ok(shell !== undefined, `no child shell in ${id}`);
  process.kill(shell, 'SIGUSR1');
  const p = await sc.waitForTree(id, SIZE);
  return findZTree(p.init, p.members);
}

function killLeader(z: ZTree): void {
  process.kill(z.leader, 'SIGKILL');
}

async function leaderGone(z: ZTree): Promise<void> {
  for (let i = 0; i < 50 && existsSync(`/proc/${z.leader}/task/${z.thread}`); i++) {
    await new Promise((r) => setTimeout(r, 100));
  }
}

for (const mode of MODES) {
  test(`${mode}: a Z leader with live threads and its child are herded`, async () => {
    const sc = new Scenario(mode, bare(RUNTIMES.crun181, 'crun 1.8.1'), `${PREFIX}${mode}-`);
    try {
      const { copies, placements } = await restoreCopies(sc, 'z', SCRIPT, RESTORED, {
        files: { '/zombie-leader': helper },
        count: 2,
      });
      const [b, c] = copies as [string, string];
      const zb = await startHelper(sc, b, placements[0]?.members ?? []);
      const zc = await startHelper(sc, c, placements[1]?.members ?? []);
      console.log(`  ${mode} before the herd: ${describe(zb, mode)}`);
      for (const z of [zb, zc]) {
        assert.ok(misplaced(z, z.leader, z.thread, mode).length > 0, 'the live thread is a stray');
        assert.ok(misplaced(z, z.child, z.child, mode).length > 0, 'its child is a stray');
      }

      // Control: the older rule's herd moves everyone but the Z leader and its child.
      for (const pid of (await sc.placement(c)).strays) {
        if (pid !== zc.leader && pid !== zc.child) mirrorCgroups(pid, zc.init);
      }
      killLeader(zc);
      await leaderGone(zc);
      const controlImage = sc.path('control');
      const control = await sc.checkpoint(c, controlImage);
      const controlErrors = await dumpErrors(sc, controlImage);
      console.log(`  ${mode} control (Z treated as gone): exit ${control.code}\n${controlErrors}`);
      assert.is.not(control.code, 0, 'control: leaving the Z leader out must fail the checkpoint');
      assert.match(controlErrors, `Unseizable non-zombie ${zc.child}`);

      const image = sc.path('herded');
      const log = sc.path('debug.log');
      const r = await cgherdIn(
        sc,
        ['--root', sc.root, ...checkpointArgv(b, image, sc.workPathFor(image), true)],
        {
          prelude: `mkdir -p ${image} ${sc.workPathFor(image)} && `,
          env: { CGHERD_DEBUG_LOG: log },
        },
      );
      const herd = herdLogLines(readFileSync(log, 'utf8'));
      console.log(
        `  ${mode} through cgherd: exit ${r.code}; ${herd.map((h) => h.line).join('; ')}\n` +
          `${r.stderr.trim()}\n${await dumpErrors(sc, image)}`,
      );
      console.log(`  ${mode} after the herd: ${describe(zb, mode)}`);
      // It fails either way: CRIU cannot dump a Z leader with threads, and the herd's
      // verdict reads the leader's own cgroup file (see the FIXME test below).
      assert.is.not(r.code, 0);
      assert.is(herd[0]?.members, SIZE, 'the herd counted the Z leader and its child');
      assert.equal(misplaced(zb, zb.leader, zb.thread, mode), [], 'the live thread was moved');
      assert.equal(misplaced(zb, zb.child, zb.child, mode), [], 'its child was moved');

      killLeader(zb);
      await leaderGone(zb);
      const after = await sc.checkpoint(b, sc.path('after'));
      console.log(`  ${mode} bare checkpoint after the herd, leader killed: exit ${after.code}`);
      assert.is(after.code, 0, `${after.stderr}\n${await dumpErrors(sc, sc.path('after'))}`);
    } finally {
      await sc.cleanup();
    }
  });

  const repairName = `${mode}: once its live thread is in place, the Z leader is no stray (repair exits 0)`;
  const repair = async (): Promise<void> => {
    const sc = new Scenario(mode, bare(RUNTIMES.crun181, 'crun 1.8.1'), `${PREFIX}${mode}-`);
    try {
      const { copies, placements } = await restoreCopies(sc, 'r', SCRIPT, RESTORED, {
        files: { '/zombie-leader': helper },
      });
      const id = copies[0] as string;
      const z = await startHelper(sc, id, placements[0]?.members ?? []);
      const r = await cgherdIn(sc, ['repair', id, '--root', sc.root]);
      console.log(`  ${mode} repair: exit ${r.code}\n${r.stdout}${r.stderr}`);
      assert.equal(misplaced(z, z.leader, z.thread, mode), [], 'the live thread was moved');
      assert.is(r.code, 0, 'repair converged');
    } finally {
      await sc.cleanup();
    }
  };
  // Measured: on v1 the Z leader's own /proc/<pid>/cgroup shows /; on v2 it keeps the cgroup
  // the leader died in, so the herd reads a live thread's (/proc/<pid>/task/<tid>/cgroup).
  // Without that, v2 made 8 passes, reported a stray and repair exited 1.
  test(repairName, repair);
}

test.run();
