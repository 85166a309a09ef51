// `cgherd install podman --as crun` makes the fix transparent: a container created under
// Podman's runtime name "crun" BEFORE cgherd was installed, and every archive it exports
// (which records "crun"), go through cgherd once it takes the name over. Podman 4.3.1 reads
// a private /etc (the bed's namespace) with its drop-ins, exactly as on a host.
//   v1: crun = crun 1.8.1 (with CRIU)
//   v2: crun = crun 1.21 without the restore cgroup root (crun 1.8.1 cannot create Podman's
//       containers on v2 here: RLIMIT_MEMLOCK, facts.md); its config.json already says
//       restoreCgroupRoot "always" (as podman-seed-fix does), which also shows an existing
//       config.json kept and restored.
// Control: the plain `install podman` (cgherd registered as "cgherd") leaves the container
// and its archive on bare crun, and the checkpoint after `restore --import` fails
// (`Unseizable non-zombie`). A busybox tree keeps the run short; podman-seed-* cover Java.

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync } from 'node:fs';
import { CGHERD_BIN, RUNTIMES, type CgroupMode } from '../lib/bed/bed.js';
import { withPodmanBed, type PodmanBed } from '../lib/podman/podman.js';
import { placementOf, describePlacement } from '../lib/podman/podman-procs.js';
import { criuErrors, exportCheckpoint, importRestore } from '../lib/podman/podman-seed.js';

interface Case {
  mode: CgroupMode;
  lower: string;
  label: string;
  /** /etc/cgherd/config.json before the install (undefined: none). */
  config: string | undefined;
}

const CASES: Case[] = [
  { mode: 'v1', lower: RUNTIMES.crun181, label: 'crun 1.8.1', config: undefined },
  {
    mode: 'v2',
    lower: RUNTIMES.crun121NoRoot,
    label: 'crun 1.21 without the restore cgroup root',
    config: '{ "restoreCgroupRoot": "always" }\n',
  },
];
const CYCLES = 3;

/** Path, type, mode, size, inode and sha256 of everything cgherd may touch. Podman creates
 *  networks/ on first use; that is not ours to compare. */
const FIND =
  'find /etc/containers /etc/cgherd -path /etc/containers/networks -prune -o 2>/dev/null';
const FINGERPRINT = `{ ${FIND} -printf '%p %y %m %s %i\\n' | sort; ${FIND} -type f -exec sha256sum {} + | sort; } 2>/dev/null`;

async function sh(bed: PodmanBed, script: string): Promise<string> {
  const r = await bed.inNamespace(['/bin/sh', '-c', script]);
  if (r.code !== 0) throw new Error(`${script} -> exit ${r.code}\n${r.stderr}${r.stdout}`);
  return r.stdout;
}

async function startTree(bed: PodmanBed, name: string): Promise<void> {
  await bed.ok([
    'run',
    '-d',
    '--runtime',
    'crun',
    '--name',
    name,
    bed.image,
    '/bin/sh',
    '-c',
    'sleep 100000 & sleep 100000 & (sleep 100000 & wait) & wait',
  ]);
}

async function prepare(bed: PodmanBed, c: Case): Promise<string> {
  if (c.config !== undefined) {
    await sh(bed, `mkdir -p /etc/cgherd && printf '%s' '${c.config}' > /etc/cgherd/config.json`);
  }
  await startTree(bed, 'c0');
  return sh(bed, FINGERPRINT);
}

const test = suite('podman takeover (install podman --as crun)');

for (const c of CASES) {
  test(`${c.mode}, ${c.label}: a container made before the install, ${CYCLES} export/import/checkpoint rounds`, async () => {
    await withPodmanBed(
      c.mode,
      { crun: c.lower },
      { tag: 'takeover', privateEtc: true },
      async (bed) => {
        const before = await prepare(bed, c);
        const install = await bed.inNamespace([CGHERD_BIN, 'install', 'podman', '--as', 'crun']);
        assert.is(install.code, 0, install.stderr + install.stdout);
        assert.match(install.stdout, `runs cgherd over ${c.lower}`);
        const config = JSON.parse(await sh(bed, 'cat /etc/cgherd/config.json')) as object;
        assert.equal(config, {
          ...(c.config ? (JSON.parse(c.config) as object) : {}),
          runtime: c.lower,
        });
        const doctor = await bed.inNamespace([CGHERD_BIN, 'doctor']);
        assert.match(doctor.stdout, `Podman's runtime name crun runs cgherd`, doctor.stdout);
        const info = await bed.ok(['info', '--format', '{{.Host.OCIRuntime.Path}}']);
        assert.is(info.trim(), CGHERD_BIN, 'Podman must run cgherd for "crun"');

        for (let i = 0; i < CYCLES; i++) {
          const from = `c${i}`;
          const to = `c${i + 1}`;
          const tar = `${bed.scratch}/${from}.tar`;
          const ck = await exportCheckpoint(bed, from, tar);
          if (ck.code !== 0) {
            assert.unreachable(
              `checkpoint --export ${from} (round ${i + 1}):\n${ck.stderr}\n${criuErrors(ck.stderr)}`,
            );
          }
          const rs = await importRestore(bed, tar, to);
          if (rs.code !== 0) {
            assert.unreachable(
              `restore --import --name ${to} (round ${i + 1}):\n${rs.stderr}\n${criuErrors(rs.stderr)}`,
            );
          }
          const rt = await bed.ok(['inspect', '--format', '{{.OCIRuntime}}', to]);
          assert.is(rt.trim(), 'crun', 'the archive names crun');
          const placed = placementOf(await bed.initPid(to), c.mode);
          assert.is(placed.strays.length, 0, describePlacement(placed, c.mode));
        }
        const last = await bed.podman(['container', 'checkpoint', `c${CYCLES}`]);
        assert.is(last.code, 0, `checkpoint c${CYCLES}:\n${last.stderr}`);

        const rm = await bed.inNamespace([CGHERD_BIN, 'install', '--remove']);
        assert.is(rm.code, 0, rm.stderr + rm.stdout);
        assert.is(await sh(bed, FINGERPRINT), before, 'install --remove must restore /etc exactly');
      },
    );
  });

  test(`${c.mode}, ${c.label}, control: install podman without --as leaves "crun" on bare crun`, async () => {
    await withPodmanBed(
      c.mode,
      { crun: c.lower },
      { tag: 'takeoverctl', privateEtc: true },
      async (bed) => {
        await prepare(bed, c);
        const install = await bed.inNamespace([CGHERD_BIN, 'install', 'podman']);
        assert.is(install.code, 0, install.stderr + install.stdout);
        const tar = `${bed.scratch}/c0.tar`;
        const ck = await exportCheckpoint(bed, 'c0', tar);
        assert.is(ck.code, 0, `first checkpoint: ${ck.stderr}`);
        const rs = await importRestore(bed, tar, 'c1');
        assert.is(rs.code, 0, `restore --import: ${rs.stderr}`);
        const again = await bed.podman(['container', 'checkpoint', 'c1']);
        assert.is.not(again.code, 0, 'the checkpoint after restore --import passed on bare crun');
        const dumpLog = await bed.userdataFile('c1', 'dump.log');
        const log = existsSync(dumpLog) ? readFileSync(dumpLog, 'utf8') : '';
        assert.ok(
          /Unseizable non-zombie/.test(log) || /CRIU checkpointing failed -52/.test(again.stderr),
          `failed, but not the way facts.md describes:\n${again.stderr}\n${log.slice(-2000)}`,
        );
        console.log(
          `  ${c.mode} control: dump.log ${/Unseizable non-zombie/.test(log) ? 'has' : 'lacks'} "Unseizable non-zombie"`,
        );
      },
    );
  });
}

test.run();
