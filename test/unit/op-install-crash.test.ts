// Crash safety of `cgherd install podman --as` and `--remove` (issue 11 item 11): a crash
// is simulated after every durable step in turn (the step hook throws there). After each,
// the original files must exist somewhere (in place or kept aside), and running the same
// command again, then --remove, must give back the original root exactly.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { installPodman, removePodman } from '../../src/operator/install/drop-in.js';

class Crash extends Error {}

const dirs: string[] = [];
const FOREIGN_DROP_IN = '# site file\n[engine]\nevents_logger = "file"\n';
const CONFIG = '{"restoreCgroupRoot": "always"}\n';

function root(): string {
  const d = mkdtempSync(join(tmpdir(), 'cgt-crash-unit-'));
  dirs.push(d);
  mkdirSync(join(d, 'etc/containers/containers.conf.d'), { recursive: true });
  mkdirSync(join(d, 'etc/cgherd'));
  mkdirSync(join(d, 'bin'));
  writeFileSync(join(d, 'bin/crun'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
  writeFileSync(join(d, 'bin/cgherd'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
  writeFileSync(
    join(d, 'etc/containers/containers.conf'),
    `[engine.runtimes]\ncrun = ["${d}/bin/crun"]\n`,
  );
  writeFileSync(join(d, 'etc/containers/containers.conf.d/50-cgherd.conf'), FOREIGN_DROP_IN, {
    mode: 0o640,
  });
  writeFileSync(join(d, 'etc/cgherd/config.json'), CONFIG, { mode: 0o600 });
  return d;
}

function snapshot(r: string): Record<string, string> {
  const out = new Map<string, string>();
  const walk = (rel: string): void => {
    for (const n of readdirSync(join(r, rel))) {
      const p = join(rel, n);
      const st = statSync(join(r, p));
      if (st.isDirectory()) walk(p);
      else out.set(p, `${(st.mode & 0o7777).toString(8)} ${readFileSync(join(r, p), 'base64')}`);
    }
  };
  walk('.');
  return Object.fromEntries([...out].sort());
}

/** Every file's content anywhere under the root: the originals must be among them. */
function allContents(r: string): string[] {
  return Object.values(snapshot(r)).map((v) =>
    Buffer.from(v.split(' ')[1] ?? '', 'base64').toString(),
  );
}

const install = (r: string, onStep?: (s: string) => void) =>
  installPodman({
    rootDir: r,
    launcher: join(r, 'bin/cgherd'),
    makeDefault: false,
    dryRun: false,
    useAppend: false,
    as: 'crun',
    onStep,
  });

function crashAt(n: number): { hook: (s: string) => void; steps: string[] } {
  const steps: string[] = [];
  return {
    steps,
    hook: (s) => {
      steps.push(s);
      if (steps.length === n) throw new Crash(s);
    },
  };
}

test.after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

test('install: a crash after any step loses nothing; rerun and --remove restore the root', () => {
  const counter = crashAt(0);
  install(root(), counter.hook);
  const total = counter.steps.length;
  assert.ok(total >= 6, `expected at least 6 durable steps, saw ${counter.steps.join('; ')}`);
  for (let n = 1; n <= total; n++) {
    const r = root();
    const before = snapshot(r);
    const c = crashAt(n);
    try {
      install(r, c.hook);
      assert.unreachable(`no crash at step ${n}`);
    } catch (err) {
      if (!(err instanceof Crash)) throw err;
    }
    const contents = allContents(r);
    assert.ok(contents.includes(FOREIGN_DROP_IN), `drop-in lost after: ${c.steps.at(-1)}`);
    assert.ok(contents.includes(CONFIG), `config.json lost after: ${c.steps.at(-1)}`);
    // Either path out of a crash: finish the install, or remove at once.
    if (n % 2 === 0) install(r);
    removePodman(r, false);
    assert.equal(snapshot(r), before, `after a crash at "${c.steps.at(-1)}"`);
  }
});

test('--remove: a crash after any step loses nothing; rerunning --remove finishes it', () => {
  const probe = root();
  const probeBefore = snapshot(probe);
  install(probe);
  const counter = crashAt(0);
  removePodman(probe, false, counter.hook);
  assert.equal(snapshot(probe), probeBefore);
  const total = counter.steps.length;
  assert.ok(total >= 2, counter.steps.join('; '));
  for (let n = 1; n <= total; n++) {
    const r = root();
    const before = snapshot(r);
    install(r);
    const c = crashAt(n);
    try {
      removePodman(r, false, c.hook);
      assert.unreachable(`no crash at step ${n}`);
    } catch (err) {
      if (!(err instanceof Crash)) throw err;
    }
    const contents = allContents(r);
    assert.ok(contents.includes(FOREIGN_DROP_IN), `drop-in lost after: ${c.steps.at(-1)}`);
    assert.ok(contents.includes(CONFIG), `config.json lost after: ${c.steps.at(-1)}`);
    try {
      removePodman(r, false);
    } catch (err) {
      // A crash after the last step: there is nothing left to undo, and a foreign
      // 50-cgherd.conf is refused as on any host (the snapshot below must still match).
      assert.match(String(err), /not written by cgherd/);
      assert.is(n, total, `--remove refused after step ${n}: ${String(err)}`);
    }
    assert.equal(snapshot(r), before, `after a crash at "${c.steps.at(-1)}"`);
  }
});

test('a write whose bytes do not parse never replaces the file', () => {
  const r = root();
  const before = snapshot(r);
  // A launcher path TOML cannot hold unescaped would be caught by the re-parse; here the
  // config merge refuses a bad existing file before any write.
  writeFileSync(join(r, 'etc/cgherd/config.json'), '{"herd": "yes"}\n', { mode: 0o600 });
  const broken = snapshot(r);
  assert.throws(() => install(r), /field \/herd/);
  assert.equal(snapshot(r), broken);
  assert.is.not(snapshot(r)['etc/cgherd/config.json'], before['etc/cgherd/config.json']);
});

test.run();
