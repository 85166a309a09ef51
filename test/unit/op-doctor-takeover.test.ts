// doctor's report of `install podman --as NAME`: the probe on a throwaway root with real
// files, the findings and the exit status they lead to.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { probeTakeovers, takeoverFindings } from '../../src/operator/doctor/takeover.js';
import { doctorExitCode } from '../../src/operator/doctor/findings.js';
import { effectiveEngine } from '../../src/engines/podman-conf.js';
import { EXIT } from '../../src/operator/exit.js';

const dirs: string[] = [];
function root(): string {
  const d = mkdtempSync(join(tmpdir(), 'cgt-doctor-takeover-'));
  dirs.push(d);
  mkdirSync(join(d, 'bin'));
  mkdirSync(join(d, 'etc/cgherd'), { recursive: true });
  writeFileSync(join(d, 'bin/crun'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
  writeFileSync(join(d, 'bin/cgherd'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
  // The usual wrapper: counts as cgherd.
  writeFileSync(join(d, 'bin/wrap'), `#!/bin/sh\nexec ${d}/bin/cgherd "$@"\n`, { mode: 0o755 });
  return d;
}
const view = (r: string, runtimes: string) =>
  effectiveEngine([{ path: `${r}/containers.conf`, text: `[engine.runtimes]\n${runtimes}\n` }]);

test.after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

test('no takeover: names that resolve to other runtimes are not reported', () => {
  const r = root();
  const t = probeTakeovers(view(r, `crun = ["${r}/bin/crun"]`), r, `${r}/bin/cgherd`);
  assert.equal(t, []);
});

test('a takeover with its lower runtime: ok, names the name and the lower runtime', () => {
  const r = root();
  writeFileSync(join(r, 'etc/cgherd/config.json'), `{"runtime": "${r}/bin/crun"}\n`);
  const t = probeTakeovers(
    view(r, `crun = ["${r}/missing", "${r}/bin/wrap"]\ncgherd = ["${r}/bin/cgherd"]`),
    r,
    `${r}/bin/cgherd`,
  );
  assert.is(t.length, 1);
  assert.is(t[0]?.name, 'crun');
  assert.is(t[0]?.path, `${r}/bin/wrap`);
  assert.is(t[0]?.lower, `${r}/bin/crun`);
  const f = takeoverFindings(t);
  assert.is(f[0]?.severity, 'ok');
  assert.match(f[0]?.summary ?? '', `Podman's runtime name crun runs cgherd`);
  assert.match(f[0]?.summary ?? '', `over ${r}/bin/crun (${r}/etc/cgherd/config.json)`);
  assert.is(doctorExitCode(f), EXIT.OK);
});

test('a takeover whose lower runtime is missing, or is cgherd: error, exit 6', () => {
  const r = root();
  writeFileSync(join(r, 'etc/cgherd/config.json'), `{"runtime": "${r}/bin/gone"}\n`);
  const missing = takeoverFindings(
    probeTakeovers(view(r, `crun = ["${r}/bin/cgherd"]`), r, `${r}/bin/cgherd`),
  );
  assert.is(missing[0]?.severity, 'error');
  assert.match(missing[0]?.summary ?? '', `lower runtime ${r}/bin/gone`);
  assert.match(missing[0]?.summary ?? '', /missing or not executable/);
  assert.is(doctorExitCode(missing), EXIT.CONFIG);
  writeFileSync(join(r, 'etc/cgherd/config.json'), `{"runtime": "${r}/bin/wrap"}\n`);
  const loop = takeoverFindings(
    probeTakeovers(view(r, `crun = ["${r}/bin/cgherd"]`), r, `${r}/bin/cgherd`),
  );
  assert.match(loop[0]?.summary ?? '', /a loop/);
  assert.is(doctorExitCode(loop), EXIT.CONFIG);
});

test.run();
