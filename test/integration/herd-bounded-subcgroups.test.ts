// A container with hundreds of cgroups below its own (delegation: its cgroup is its to
// subdivide) cannot make the herd's work unbounded. 300 sub-cgroups are more than the
// ppid scan lists (256), so the scan falls back to every process of the host: once per
// herd, never once per pass. The herd still moves every stray. Real crun 1.8.1 + CRIU, v1
// and v2: run tree8, checkpoint, bare restore under a new id (the bug leaves 7 strays in
// the old cgroup), then 300 sub-cgroups in the new one, then the herd as the hooks run
// it. The sub-cgroups are made from outside, in the container's cgroup: to the herd they
// are the same directories a container with a writable cgroup makes. Each mode also runs
// a tree that forks all the time, so that every scan finds children the walk missed and
// asks for another scan (before the bound, each of them host-wide).

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { HerdReport } from '../../src/herd/index.js';
import { MODES, REPO_ROOT, RUNTIMES, inMode } from '../lib/bed/bed.js';
import { TREE8_SIZE } from '../lib/scenario/bundle.js';
import { cleanupPrefix } from '../lib/bed/cleanup.js';
import { Scenario, bare } from '../lib/scenario/scenario.js';

const PREFIX = 'cgt-herd-bnd-';
const SUBCGROUPS = 300;
const dist = (path: string): string => JSON.stringify(join(REPO_ROOT, 'dist', 'src', path));

test.after(async () => {
  await cleanupPrefix(PREFIX);
});

let serial = 0;

/**
 * In the mode's namespace: the state as the hooks read it, a dry run for the target's
 * directories, `SUBCGROUPS` sub-cgroups in each, then the herd. Prints the report and the
 * number of processes on the host (what one host-wide scan reads).
 */
async function herdWithSubcgroups(
  sc: Scenario,
  id: string,
): Promise<{ report: HerdReport; hostPids: number }> {
  const script =
    "import { mkdirSync, readdirSync } from 'node:fs';\n" +
    `import { containerHerdOptions, herd } from ${dist('herd/index.js')};\n` +
    `import { readContainerState } from ${dist('lower/state.js')};\n` +
    'const [runtime, root, id, count] = process.argv.slice(1);\n' +
    'const state = readContainerState({ path: runtime, root }, id);\n' +
    'const opts = containerHerdOptions(state);\n' +
    'for (const t of herd(state.pid, { ...opts, dryRun: true }).target)\n' +
    '  for (let i = 0; i < Number(count); i++) mkdirSync(`${t.dir}/d${i}`, { recursive: true });\n' +
    'const report = herd(state.pid, opts);\n' +
    "const hostPids = readdirSync('/proc').filter((n) => /^\\d+$/.test(n)).length;\n" +
    'process.stdout.write(JSON.stringify({ report, hostPids }));';
  const r = await inMode(sc.mode, process.execPath, [
    '--input-type=module',
    '-e',
    script,
    RUNTIMES.crun181,
    sc.root,
    id,
    String(SUBCGROUPS),
  ]);
  assert.is(r.code, 0, `herd: ${r.stderr}`);
  return JSON.parse(r.stdout) as { report: HerdReport; hostPids: number };
}

/** run -> checkpoint -> bare crun 1.8.1 restore under a new id: strays in the old cgroup. */
async function brokenContainer(sc: Scenario, args?: string[]): Promise<string> {
  const n = serial++;
  const [first, second] = [`${PREFIX}${n}a`, `${PREFIX}${n}b`];
  const bundles: string[] = [];
  for (const id of [first, second]) {
    const dir = await sc.bundle(`b-${id}`, { tree: 'tree8' });
    if (args) {
      const file = join(dir, 'config.json');
      const config = JSON.parse(readFileSync(file, 'utf8')) as { process: { args: string[] } };
      config.process.args = args;
      writeFileSync(file, JSON.stringify(config, null, 2));
    }
    bundles.push(dir);
  }
  assert.is((await sc.run(first, bundles[0] as string)).code, 0);
  if (args) await new Promise((r) => setTimeout(r, 500));
  else await sc.waitForTree(first, TREE8_SIZE);
  const image = sc.path(`img${n}`);
  const dump = await sc.checkpoint(first, image);
  assert.is(dump.code, 0, `checkpoint: ${dump.stderr}`);
  const restore = await sc.restore(second, bundles[1] as string, image);
  assert.is(restore.code, 0, `restore: ${restore.stderr}`);
  assert.ok((await sc.placement(second)).strays.length > 0, 'control: bare crun leaves strays');
  return second;
}

function describe(label: string, report: HerdReport, hostPids: number): string {
  const s = report.scan;
  return (
    `  ${label}: converged ${report.converged}, passes ${report.passes}, ` +
    `${report.moved.length} moves, scans ${s?.scans} (${s?.scope}; ${s?.fallback ?? '-'}; ` +
    `${s?.limited ?? 'not limited'}), ${s?.statReads} stat reads, ${hostPids} host pids, ` +
    `${report.durationMs.toFixed(1)} ms`
  );
}

for (const mode of MODES) {
  test(`${mode}: ${SUBCGROUPS} sub-cgroups: one host-wide scan, every stray moved`, async () => {
    const sc = new Scenario(mode, bare(RUNTIMES.crun181, 'crun 1.8.1'), PREFIX);
    try {
      const id = await brokenContainer(sc);
      const { report, hostPids } = await herdWithSubcgroups(sc, id);
      console.log(describe(`${mode} tree8`, report, hostPids));
      // The sub-cgroups are what sent the scan to the host (the control: without them the
      // herd-scan unit tests and herd-1000 stay container-sized).
      assert.is(report.scan?.scope, 'host');
      assert.match(report.scan?.fallback ?? '', /more than 256 cgroups/);
      assert.is(report.scan?.scans, 1);
      assert.ok(report.converged, JSON.stringify(report.failures));
      assert.equal(report.strays, []);
      const after = await sc.placement(id);
      assert.is(after.members.length, TREE8_SIZE);
      assert.equal(after.strays, []);
      assert.equal(after.outside ?? [], []);
    } finally {
      await sc.cleanup();
    }
  });

  test(`${mode}: ${SUBCGROUPS} sub-cgroups and a forking tree: at most one host-wide scan`, async () => {
    const sc = new Scenario(mode, bare(RUNTIMES.crun181, 'crun 1.8.1'), PREFIX);
    try {
      const storm =
        'exec </dev/null >/dev/null 2>&1\n' +
        "/bin/sh -c 'while :; do /bin/sleep 0.2 & /bin/sleep 0.2 & /bin/usleep 20000; done' storm &\n" +
        'while :; do sleep 100001; done';
      const id = await brokenContainer(sc, ['/bin/sh', '-c', storm, 'init']);
      const { report, hostPids } = await herdWithSubcgroups(sc, id);
      console.log(describe(`${mode} forking`, report, hostPids));
      assert.is(report.scan?.scope, 'host');
      // Each host-wide scan reads about every process of the host once.
      assert.ok(
        (report.scan?.statReads ?? 0) <= 2 * hostPids,
        `${report.scan?.statReads} stat reads for ${hostPids} host processes`,
      );
      assert.is(report.scan?.scans, 1);
      if (!report.converged) assert.ok(report.strays.length > 0 || report.scan?.limited);
      // The long-lived processes are in place.
      const after = await sc.placement(id);
      const stayed = after.members.filter((pid) => {
        try {
          return !readFileSync(`/proc/${pid}/cmdline`, 'utf8').startsWith('/bin/sleep\0' + '0.2');
        } catch {
          return false;
        }
      });
      for (const pid of stayed) assert.not.ok(after.strays.includes(pid), `pid ${pid} stray`);
    } finally {
      await sc.cleanup();
    }
  });
}

test.run();
