// Safety of the herd on real containers (crun 1.8.1, v1 and v2):
// - a process in the same pid namespace but outside the init's tree (a container without a
//   pid namespace of its own; a process entered with `exec`) is never moved, even when it
//   sits in the very cgroup the strays are in;
// - a tree that forks hundreds of short-lived children a second converges within the
//   herd's time limit (every process of the tree in place afterwards), and children that
//   exit mid-move are not failures.
// The broken placement comes from a restore under a new id by bare crun 1.8.1 (the bug).

import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MODES, REPO_ROOT, RUNTIMES, inMode } from '../lib/bed/bed.js';
import { TREE8_SIZE } from '../lib/scenario/bundle.js';
import { mirrorCgroups } from '../lib/cgroups/cgroups.js';
import { cleanupPrefix } from '../lib/bed/cleanup.js';
import { living, untilAsync } from '../lib/bed/poll.js';
import { Scenario, bare, cmdline } from '../lib/scenario/scenario.js';
import type { HerdReport } from '../../src/herd/index.js';

const PREFIX = 'cgt-herd-safe-';
const HERD_MODULE = join(REPO_ROOT, 'dist', 'src', 'herd', 'index.js');
const STATE_MODULE = join(REPO_ROOT, 'dist', 'src', 'lower', 'state.js');
const outsiders: number[] = [];
const NO_PIDNS_TREE = 4;

test.after(async () => {
  for (const pid of outsiders) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
  await cleanupPrefix(PREFIX);
});

let serial = 0;

/** The herd as the hooks run it (state file, recorded cgroup), in the mode's namespace. */
async function herdInMode(sc: Scenario, id: string): Promise<HerdReport> {
  const script =
    `import { containerHerdOptions, herd } from ${JSON.stringify(HERD_MODULE)};\n` +
    `import { readContainerState } from ${JSON.stringify(STATE_MODULE)};\n` +
    'const [runtime, root, id] = process.argv.slice(1);\n' +
    'const state = readContainerState({ path: runtime, root }, id);\n' +
    'process.stdout.write(JSON.stringify(herd(state.pid, containerHerdOptions(state))));';
  const r = await inMode(sc.mode, process.execPath, [
    '--input-type=module',
    '-e',
    script,
    RUNTIMES.crun181,
    sc.root,
    id,
  ]);
  assert.is(r.code, 0, `herd: ${r.stderr}`);
  return JSON.parse(r.stdout) as HerdReport;
}

/** run -> checkpoint -> bare restore under a new id: strays in the dumped cgroup. */
async function brokenContainer(
  sc: Scenario,
  opts: { pidNamespace?: boolean; args?: string[]; size?: number; running?: string },
): Promise<{ id: string; strays: number[] }> {
  const n = serial++;
  const first = `${PREFIX}${n}a`;
  const second = `${PREFIX}${n}b`;
  const bundles = [];
  for (const id of [first, second]) {
    const dir = await sc.bundle(`b-${id}`, { tree: 'tree8', pidNamespace: opts.pidNamespace });
    if (opts.args) {
      const file = join(dir, 'config.json');
      const config = JSON.parse(readFileSync(file, 'utf8')) as { process: { args: string[] } };
      config.process.args = opts.args;
      writeFileSync(file, JSON.stringify(config, null, 2));
    }
    bundles.push(dir);
  }
  const run = await sc.run(first, bundles[0] as string);
  assert.is(run.code, 0, run.stderr);
  if (opts.size) await sc.waitForTree(first, opts.size);
  else if (opts.running) {
    const name = opts.running;
    const up = async (): Promise<boolean> =>
      (await sc.placement(first)).members.some((pid) => shellName(pid) === name);
    assert.ok(await untilAsync(up, 10_000), `${first}: no "${name}" process in its tree`);
  }
  const image = sc.path(`img${n}`);
  const dump = await sc.checkpoint(first, image);
  assert.is(dump.code, 0, `checkpoint: ${dump.stderr}`);
  const restore = await sc.restore(second, bundles[1] as string, image);
  assert.is(restore.code, 0, `restore: ${restore.stderr}`);
  const placement = opts.size
    ? await sc.waitForTree(second, opts.size)
    : await sc.placement(second);
  assert.ok(placement.strays.length > 0, 'control: bare crun 1.8.1 must leave strays');
  return { id: second, strays: placement.strays };
}

/** The process's $0: the last argument of a `sh -c SCRIPT NAME` ('' once it is gone). */
function shellName(pid: number): string {
  return cmdline(pid).at(-1) ?? '';
}

function cgroupText(pid: number): string {
  return readFileSync(`/proc/${pid}/cgroup`, 'utf8');
}

function startOutsider(): number {
  const child = spawn('/bin/sleep', ['1000'], { detached: true, stdio: 'ignore' });
  child.unref();
  const pid = child.pid as number;
  outsiders.push(pid);
  return pid;
}

for (const mode of MODES) {
  test(`${mode}: no pid namespace: neighbours in the strays' cgroup are never moved`, async () => {
    // CRIU cannot restore into the host's pid namespace, so the broken placement is made
    // by hand: the tree's members are put into a neighbour container's cgroup, next to the
    // neighbour's init and to a host process.
    const sc = new Scenario(mode, bare(RUNTIMES.crun181, 'crun 1.8.1'), PREFIX);
    try {
      const n = serial++;
      const id = `${PREFIX}${n}tree`;
      const neighbourId = `${PREFIX}${n}nb`;
      const tree = await sc.bundle(`b-${id}`, { tree: 'tree8', pidNamespace: false });
      const single = await sc.bundle(`b-${neighbourId}`, { tree: 'single', pidNamespace: false });
      assert.is((await sc.run(id, tree)).code, 0);
      assert.is((await sc.run(neighbourId, single)).code, 0);
      // Without a pid namespace the double-forked daemon (and its child) is reparented to
      // the host's init: it leaves the init's tree, which keeps 4 processes.
      const { init, members } = await sc.waitForTree(id, NO_PIDNS_TREE);
      const neighbour = await sc.initPid(neighbourId);
      for (const pid of members) if (pid !== init) mirrorCgroups(pid, neighbour);
      const outsider = startOutsider();
      mirrorCgroups(outsider, neighbour);
      const untouched = [neighbour, outsider].map(cgroupText);
      assert.ok((await sc.placement(id)).strays.length === NO_PIDNS_TREE - 1, 'set-up: strays');
      const report = await herdInMode(sc, id);
      console.log(
        `  ${mode} no pidns: ${report.members.length} members, ${report.moved.length} moves, ` +
          `strays after ${report.strays.length}, ${report.durationMs.toFixed(1)} ms`,
      );
      assert.ok(report.converged, JSON.stringify(report.failures));
      assert.is(report.members.length, NO_PIDNS_TREE);
      for (const other of [neighbour, outsider]) {
        assert.not.ok(report.members.some((m) => m.pid === other));
        assert.not.ok(report.moved.some((m) => m.pid === other));
      }
      assert.equal([neighbour, outsider].map(cgroupText), untouched, 'a neighbour was moved');
      assert.equal((await sc.placement(id)).strays, []);
    } finally {
      await sc.cleanup();
    }
  });

  test(`${mode}: a process entered with exec is never moved`, async () => {
    const sc = new Scenario(mode, bare(RUNTIMES.crun181, 'crun 1.8.1'), PREFIX);
    try {
      const { id, strays } = await brokenContainer(sc, { size: TREE8_SIZE });
      const pidFile = sc.path('exec.pid');
      const exec = await sc.call([
        'exec',
        '--detach',
        '--pid-file',
        pidFile,
        id,
        '/bin/sleep',
        '1001',
      ]);
      assert.is(exec.code, 0, `exec: ${exec.stderr}`);
      const entered = Number(readFileSync(pidFile, 'utf8').trim());
      outsiders.push(entered);
      mirrorCgroups(entered, strays[0] as number);
      const before = cgroupText(entered);
      const report = await herdInMode(sc, id);
      assert.ok(report.converged);
      assert.not.ok(report.members.some((m) => m.pid === entered));
      assert.is(cgroupText(entered), before, 'the exec-entered process was moved');
    } finally {
      await sc.cleanup();
    }
  });

  test(`${mode}: a tree forking hundreds of children a second converges, fast`, async () => {
    const sc = new Scenario(mode, bare(RUNTIMES.crun181, 'crun 1.8.1'), PREFIX);
    try {
      const storm =
        'exec </dev/null >/dev/null 2>&1\n' +
        "/bin/sh -c 'while :; do /bin/true & /bin/true & /bin/usleep 2000; done' storm &\n" +
        'while :; do sleep 100001; done';
      const { id } = await brokenContainer(sc, {
        args: ['/bin/sh', '-c', storm, 'init'],
        running: 'storm',
      });
      // The fork rate of the storm as restored, counted in the container's own pid namespace.
      const rate = await containerForkRate(sc, id);
      const started = Date.now();
      const report = await herdInMode(sc, id);
      const wall = Date.now() - started;
      console.log(
        `  ${mode} fork storm (~${rate}/s): converged ${report.converged}, passes ${report.passes}, ` +
          `${report.moved.length} moves, ${report.skipped.length} exited/skipped, ` +
          `${report.failures.length} failures, herd ${report.durationMs.toFixed(1)} ms (call ${wall} ms)`,
      );
      assert.ok(rate >= 100, `the storm must fork hundreds a second (measured ${rate}/s)`);
      // The herd stops at its 5 s limit; the call adds Node's start and the namespace set-up.
      assert.ok(report.durationMs < 5500, 'the herd is bounded in time');
      assert.ok(wall < 10_000, `the whole call is bounded in time (${wall} ms)`);
      assert.equal(
        report.failures.filter((f) => f.code !== 'ESRCH'),
        [],
        'exits mid-move are not failures',
      );
      // The herd converges: its own report says so and leaves no stray, and afterwards
      // every process of the init's tree (the storm's newest children included) is in
      // place, because each is forked by a parent the herd already moved.
      assert.ok(report.converged, `the herd did not converge: ${report.strays.length} strays left`);
      assert.equal(report.strays, [], "the herd's report lists strays");
      // A storm child caught exiting shows the root cgroups on v1 (the kernel moves an
      // exiting task there) and a zombie keeps them until reaped: a stray is one that is
      // alive and out of place on two reads in a row.
      const after = await sc.placement(id);
      const again = await sc.placement(id);
      const lasting = (found: number[], next: number[]): number[] =>
        found.filter((pid) => next.includes(pid) && living(pid));
      assert.equal(
        lasting(after.strays, again.strays),
        [],
        `strays after the herd:\n${await sc.describe(id)}`,
      );
      assert.equal(
        lasting(after.outside ?? [], again.outside ?? []),
        [],
        'members outside the recorded cgroup',
      );
      const storming = after.members.filter((pid) => shellName(pid) === 'storm');
      assert.ok(storming.length > 0, 'the forking shell is in the tree');
    } finally {
      await sc.cleanup();
    }
  });
}

/** Processes forked per second inside the container: the last pid of its own pid
 *  namespace, read twice 300 ms apart by a shell exec'd into it (/proc/loadavg shows the
 *  reader's namespace, so it must be read from inside). The reader's own 3 forks are
 *  taken off. The host's last pid would count every other process on the machine. */
async function containerForkRate(sc: Scenario, id: string): Promise<number> {
  const script =
    'a=$(cat /proc/loadavg); usleep 300000; b=$(cat /proc/loadavg); echo "${a##* } ${b##* }"';
  const r = await sc.call(['exec', id, '/bin/sh', '-c', script]);
  assert.is(r.code, 0, `exec into the storm: ${r.stderr}`);
  const [a, b] = r.stdout.trim().split(' ').map(Number) as [number, number];
  assert.ok(Number.isInteger(a) && Number.isInteger(b), `last pids: ${r.stdout}`);
  return Math.round((((b - a + 4194304) % 4194304) - 3) / 0.3);
}

test.run();
