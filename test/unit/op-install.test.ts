// install podman / install --remove against a throwaway root (--root-dir); no Podman needed.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { installPodman, removePodman } from '../../src/operator/install/drop-in.js';
import { effectiveEngine } from '../../src/engines/podman-conf.js';
import { OperatorError, EXIT } from '../../src/operator/exit.js';

const dirs: string[] = [];
function root(): string {
  const d = mkdtempSync(join(tmpdir(), 'cgt-op-unit-'));
  dirs.push(d);
  mkdirSync(join(d, 'etc/containers'), { recursive: true });
  return d;
}
const confD = (r: string): string => join(r, 'etc/containers/containers.conf.d');
const req = (rootDir: string, extra: Partial<Parameters<typeof installPodman>[0]> = {}) => ({
  rootDir,
  launcher: '/usr/bin/cgherd',
  makeDefault: false,
  dryRun: false,
  useAppend: false,
  ...extra,
});

test.after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

test('fresh host: install creates the directory and the file; remove takes both back', () => {
  const r = root();
  const res = installPodman(req(r));
  assert.is(res.action, 'created');
  assert.ok(res.createdDir);
  const text = readFileSync(res.path, 'utf8');
  assert.equal(effectiveEngine([{ path: res.path, text }]).runtimes.cgherd, ['/usr/bin/cgherd']);
  assert.is(statSync(res.path).mode & 0o777, 0o644);
  const rm = removePodman(r, false);
  assert.is(rm.action, 'removed');
  assert.ok(rm.removedDir);
  assert.not.ok(existsSync(confD(r)));
  assert.ok(existsSync(join(r, 'etc/containers')));
});

test('a foreign file of our name is kept aside and restored byte for byte', () => {
  const r = root();
  mkdirSync(confD(r));
  const path = join(confD(r), '50-cgherd.conf');
  const original = Buffer.from('# mine\n[engine]\nruntime = "runc"\n\u00e9\n');
  writeFileSync(path, original);
  chmodSync(path, 0o600);
  const before = statSync(path);
  const res = installPodman(req(r, { makeDefault: true }));
  assert.is(res.action, 'replaced');
  assert.ok(res.backup);
  assert.not.ok(res.createdDir);
  assert.match(readFileSync(path, 'utf8'), /runtime = "cgherd"/);
  // A second install keeps the one backup.
  assert.is(installPodman(req(r, { makeDefault: true })).action, 'unchanged');
  const rm = removePodman(r, false);
  assert.is(rm.action, 'restored');
  assert.not.ok(rm.removedDir);
  assert.equal(readFileSync(path), original);
  const after = statSync(path);
  assert.is(after.mode, before.mode);
  assert.is(after.ino, before.ino);
  assert.not.ok(existsSync(res.backup as string));
});

test('the lists restate what earlier drop-ins set, never what later ones set', () => {
  const r = root();
  mkdirSync(confD(r));
  writeFileSync(
    join(confD(r), '10-site.conf'),
    '[engine]\nruntime_supports_json = ["crun", "mine"]\n',
  );
  writeFileSync(join(confD(r), '90-late.conf'), '[engine]\nruntime_supports_json = ["late"]\n');
  const res = installPodman(req(r));
  const view = effectiveEngine([{ path: res.path, text: readFileSync(res.path, 'utf8') }]);
  assert.equal(view.runtimeSupportsJson, ['crun', 'mine', 'cgherd']);
  assert.not.ok(res.createdDir);
  removePodman(r, false);
  assert.ok(existsSync(join(confD(r), '10-site.conf')));
});

test('dry run writes nothing; remove with nothing installed says so', () => {
  const r = root();
  const res = installPodman(req(r, { dryRun: true }));
  assert.is(res.action, 'would-write');
  assert.not.ok(existsSync(confD(r)));
  assert.is(removePodman(r, false).action, 'absent');
});

test('a containers.conf Podman cannot read either (a directory): exit 6 with the path, nothing written', () => {
  const r = root();
  mkdirSync(join(r, 'etc/containers/containers.conf'));
  try {
    installPodman(req(r));
    assert.unreachable('installed over an unreadable configuration');
  } catch (err) {
    assert.instance(err, OperatorError);
    assert.is((err as OperatorError).exitCode, EXIT.CONFIG);
    assert.match(
      (err as Error).message,
      /^cannot read Podman configuration file \S+\/etc\/containers\/containers\.conf: EISDIR$/,
    );
  }
  assert.not.ok(existsSync(confD(r)));
});

test('remove refuses a file cgherd did not write', () => {
  const r = root();
  mkdirSync(confD(r));
  writeFileSync(join(confD(r), '50-cgherd.conf'), '[engine]\n');
  try {
    removePodman(r, false);
    assert.unreachable('removed a foreign file');
  } catch (err) {
    assert.instance(err, OperatorError);
    assert.is((err as OperatorError).exitCode, EXIT.CONFIG);
    assert.match((err as Error).message, /not written by cgherd/);
  }
});

test('a broken earlier file stops install with its name', () => {
  const r = root();
  writeFileSync(join(r, 'etc/containers/containers.conf'), '[engine\n');
  try {
    installPodman(req(r));
    assert.unreachable('installed over a broken containers.conf');
  } catch (err) {
    assert.instance(err, OperatorError);
    assert.match((err as Error).message, /containers\.conf/);
  }
  assert.not.ok(existsSync(confD(r)));
});

test.run();
