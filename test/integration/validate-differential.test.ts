// The differential test of issue 14: validation must never break a container that the
// lower runtime would run. For some hundreds of configs (real ones and mutations of them,
// see test/lib/validate/), compare what crun does (`create`, then `delete`,
// cgherd out of the way) with what cgherd's validator says. A config that crun creates
// and cgherd refuses fails the test, unless a refuse row of
// schemas/runtime-spec-amendments.json covers every issue. Both directions are printed.
// Runs on crun 1.21 and crun 1.8.1, cgroup v1 (validation does not depend on the mode).
//
// Control: the Podman captures and `crun spec` are created by crun and accepted by
// cgherd; a config cgherd refuses for a reason the runtimes share (a bad type) is
// refused by crun too. Without those the comparison could pass by running nothing.

import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { REPO_ROOT, ROOTFS_BUSYBOX, RUNTIMES, runCommand } from '../lib/bed/bed.js';
import { cleanupPrefix } from '../lib/bed/cleanup.js';
import { buildCandidates, type Json } from '../lib/validate/validate-differential-configs.js';
import {
  reportLines,
  runDifferential,
  type Differential,
} from '../lib/validate/validate-differential-run.js';

const PREFIX = 'cgt-val-diff-';
const dir = mkdtempSync(`/tmp/${PREFIX}`);
const PODMAN = join(REPO_ROOT, 'test/fixtures/oci-configs/podman-4.3.1');

test.before(async () => {
  await cleanupPrefix(PREFIX, { keepTempDirs: true });
});

test.after(async () => {
  await cleanupPrefix(PREFIX, {
    stateRoots: [join(dir, '1.21', 'state'), join(dir, '1.8.1', 'state')],
  });
});

async function specOf(runtime: string, where: string): Promise<Json | undefined> {
  if (!existsSync(runtime)) return undefined;
  mkdirSync(where, { recursive: true });
  const r = await runCommand(runtime, ['spec'], { cwd: where });
  if (r.code !== 0) throw new Error(`${runtime} spec: ${r.stderr}`);
  return JSON.parse(readFileSync(join(where, 'config.json'), 'utf8')) as Json;
}

async function differential(label: string, runtime: string): Promise<Differential> {
  assert.ok(existsSync(runtime), `${runtime} is missing: the test bed is not ready`);
  const work = join(dir, label);
  const rootfs = join(work, 'rootfs');
  cpSync(ROOTFS_BUSYBOX, rootfs, { recursive: true, verbatimSymlinks: true });
  mkdirSync(join(work, 'bind-dir'), { recursive: true });
  writeFileSync(join(work, 'bind-file'), '');
  const podman: Record<string, Json> = {};
  for (const file of readdirSync(PODMAN).sort()) {
    podman[file.replace(/\.json$/, '')] = JSON.parse(
      readFileSync(join(PODMAN, file), 'utf8'),
    ) as Json;
  }
  const candidates = buildCandidates({
    crunSpec: (await specOf(runtime, join(work, 'crun-spec'))) as Json,
    runcSpec: await specOf(RUNTIMES.runc, join(work, 'runc-spec')),
    podman,
    paths: {
      rootfs,
      bindDir: join(work, 'bind-dir'),
      bindFile: join(work, 'bind-file'),
    },
  });
  const result = await runDifferential({
    runtime,
    mode: 'v1',
    candidates,
    dir: work,
    idPrefix: `${PREFIX}${label.replace(/\./g, '')}-`,
  });
  for (const line of reportLines(`crun ${label}`, result)) console.log(line);
  return result;
}

for (const [label, runtime] of [
  ['1.21', RUNTIMES.crun121],
  ['1.8.1', RUNTIMES.crun181],
] as const) {
  test(`crun ${label}: every config crun creates is accepted, or a refuse row says why`, async () => {
    const d = await differential(label, runtime);
    assert.ok(d.tried >= 300, `only ${d.tried} configs`);
    // Controls: real configs are created and accepted; shared refusals exist.
    assert.ok(d.agreeCreated >= 100, `crun created and cgherd accepted only ${d.agreeCreated}`);
    assert.ok(d.agreeRefused >= 20, `both refused only ${d.agreeRefused}`);
    assert.ok(d.explained.some((v) => v.explainedBy?.includes('duplicate-keys')));
    assert.ok(d.explained.some((v) => v.explainedBy?.includes('keys-crun-renames')));
    assert.equal(
      d.unexplained.map((v) => v.name),
      [],
      'crun creates these, cgherd refuses them, and no amendment row says why',
    );
  });
}

test.run();
