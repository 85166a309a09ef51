// The runner's --jobs scheduling (test/lib/runner/lanes.ts): which file starts next, and
// that no two files that must not share the host ever run together, checked over a whole
// simulated run. And the audit's two premises, read from the test sources: every file a
// rule names exists (a renamed file must not slip off the list), and no file's id prefix
// is part of another file's names (cleanupPrefix removes every cgroup and temp dir whose
// name holds the prefix: `cgt-val-` swept `cgt-val-diff-`'s containers and
// `/tmp/cgt-val-esc-*` away, had they run side by side).

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RULES, claimOf, mayStart, nextToStart } from '../lib/runner/lanes.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));

const ALONE = 'integration/fault-signals.test.js';
const ALONE2 = 'integration/criu-probe.test.js';
const POD1 = 'e2e/podman-smoke.test.js';
const POD2 = 'e2e/podman-takeover.test.js';
const CTD = 'e2e/containerd-fix.test.js';
const FREE1 = 'integration/herd-regress.test.js';
const FREE2 = 'integration/herd-heal.test.js';
const UNIT = 'unit/argv.test.js';

test('claims: alone, a lane, or none', () => {
  assert.is(claimOf(ALONE), 'alone');
  assert.is(claimOf(POD1), 'podman');
  assert.is(claimOf(CTD), 'containerd');
  assert.is(claimOf(FREE1), undefined);
  assert.is(claimOf(UNIT), undefined);
  // `op-package.` names op-package.test.js alone, not its neighbours of the package lane.
  assert.is(claimOf('integration/op-package.test.js'), 'alone');
  assert.is(claimOf('integration/op-package-lintian.test.js'), 'package');
});

test('one job: list order, one file at a time', () => {
  const pending = [FREE1, ALONE, POD1];
  assert.is(nextToStart(pending, [], 1), 0);
  assert.is(nextToStart(pending, [UNIT], 1), undefined);
  assert.is(nextToStart([], [], 1), undefined);
});

test('a file that runs alone starts only on an empty host, and nothing starts beside it', () => {
  assert.is(nextToStart([ALONE], [FREE1], 3), undefined);
  assert.is(nextToStart([FREE2, UNIT], [ALONE], 3), undefined);
  assert.is(nextToStart([FREE2, ALONE], [], 3), 1, 'on an empty host the lone file goes first');
  assert.not.ok(mayStart('alone', [undefined], 2));
  assert.not.ok(mayStart(undefined, ['alone'], 2));
  assert.ok(mayStart('alone', [], 2));
});

test('one file of a lane at a time; other lanes and free files beside it', () => {
  assert.is(nextToStart([POD2], [POD1], 3), undefined);
  assert.is(nextToStart([POD2, CTD], [POD1], 3), 1);
  assert.is(nextToStart([POD2, FREE1], [POD1], 3), 1);
  assert.ok(mayStart('podman', ['containerd', undefined], 3));
});

test('never more than N at a time', () => {
  assert.is(nextToStart([FREE2], [FREE1, UNIT], 2), undefined);
  assert.is(nextToStart([FREE2], [FREE1, UNIT], 3), 0);
});

test('preference: lanes before free files, unit files last', () => {
  assert.is(nextToStart([UNIT, FREE1, POD1], [], 2), 2);
  assert.is(nextToStart([UNIT, FREE1], [POD1], 2), 1);
  assert.is(nextToStart([UNIT], [POD1], 2), 0);
});

/** A whole run: files of given lengths through nextToStart; returns who ran beside whom. */
function simulate(lengths: Map<string, number>, jobs: number) {
  const pending = [...lengths.keys()];
  let running: { file: string; ends: number }[] = [];
  let now = 0;
  const started: string[] = [];
  const overlaps: [string, string][] = [];
  while (pending.length > 0 || running.length > 0) {
    for (;;) {
      const i = nextToStart(
        pending,
        running.map((r) => r.file),
        jobs,
      );
      if (i === undefined) break;
      const [file] = pending.splice(i, 1) as [string];
      for (const r of running) overlaps.push([r.file, file]);
      running.push({ file, ends: now + (lengths.get(file) ?? 0) });
      started.push(file);
    }
    assert.ok(running.length > 0, `stuck with ${pending.join(', ')} pending`);
    now = Math.min(...running.map((r) => r.ends));
    running = running.filter((r) => r.ends > now);
  }
  return { started, overlaps, wall: now };
}

test('a simulated run: each file once, no forbidden pair side by side, shorter than serial', () => {
  const lengths = new Map<string, number>([
    [UNIT, 1],
    [FREE1, 40],
    [ALONE, 20],
    [POD1, 9],
    [POD2, 16],
    [CTD, 14],
    [FREE2, 9],
    [ALONE2, 2],
    ['e2e/containerd-java.test.js', 12],
  ]);
  for (const jobs of [2, 3]) {
    const { started, overlaps, wall } = simulate(lengths, jobs);
    assert.equal([...started].sort(), [...lengths.keys()].sort());
    for (const [a, b] of overlaps) {
      const [ca, cb] = [claimOf(a), claimOf(b)];
      assert.ok(ca !== 'alone' && cb !== 'alone', `${a} beside ${b}`);
      assert.ok(ca === undefined || ca !== cb, `${a} beside ${b}, one lane`);
    }
    const serial = [...lengths.values()].reduce((a, b) => a + b, 0);
    assert.ok(wall < serial, `${jobs} jobs: ${wall} s, serial ${serial} s`);
  }
});

/** Test files as the runner names them, from the sources. */
function testFiles(): string[] {
  return ['integration', 'e2e', 'unit'].flatMap((group) =>
    readdirSync(join(REPO, 'test', group))
      .filter((n) => n.endsWith('.test.ts'))
      .map((n) => `${group}/${n.replace(/\.ts$/, '.js')}`),
  );
}

test('every file a rule names exists', () => {
  const files = testFiles();
  for (const rule of RULES) {
    for (const pattern of rule.files) {
      assert.ok(
        files.some((f) => f.includes(pattern)),
        `${pattern} (${rule.claim}) names no test file`,
      );
    }
  }
});

interface Names {
  file: string;
  /** The file's id prefix: cleanupPrefix(prefix) sweeps what holds it, host-wide. */
  prefix?: string;
  /** Its temp dirs' fixed stems (`mkdtempSync('/tmp/cgt-x-')`). */
  stems: string[];
}

/** Where one file's prefix is part of a name another file uses. Pure. */
function nestedPrefixes(files: readonly Names[]): string[] {
  const out: string[] = [];
  for (const a of files) {
    if (a.prefix === undefined) continue;
    for (const b of files) {
      if (b === a) continue;
      for (const name of [b.prefix, ...b.stems]) {
        if (name?.includes(a.prefix)) out.push(`${a.file}'s ${a.prefix} in ${b.file}'s ${name}`);
      }
    }
  }
  return out;
}

test("no file's id prefix is part of another file's prefix or temp dir", () => {
  const files = testFiles()
    .filter((f) => !f.startsWith('unit/'))
    .map((file): Names => {
      const text = readFileSync(join(REPO, 'test', file.replace(/\.js$/, '.ts')), 'utf8');
      const prefix = /^const PREFIX = '([^']+)';$/m.exec(text)?.[1];
      const stems = [...text.matchAll(/mkdtempSync\('\/(?:var\/)?tmp\/([^']+)'\)/g)].map(
        (m) => m[1] as string,
      );
      return prefix === undefined ? { file, stems } : { file, prefix, stems };
    });
  assert.ok(files.filter((f) => f.prefix).length > 30, 'too few prefixes read');
  assert.ok(
    files.some((f) => f.stems.includes('cgt-val-esc-')),
    'no temp dir stem read',
  );
  assert.equal(nestedPrefixes(files), []);
});

test('control: a nested prefix, and a prefix in a temp dir stem, are caught', () => {
  const files: Names[] = [
    { file: 'a', prefix: 'cgt-val-', stems: [] },
    { file: 'b', prefix: 'cgt-val-diff-', stems: [] },
    { file: 'c', stems: ['cgt-val-esc-'] },
    { file: 'd', prefix: 'cgt-herd-', stems: ['cgt-herd-log-'] },
  ];
  assert.equal(nestedPrefixes(files), [
    "a's cgt-val- in b's cgt-val-diff-",
    "a's cgt-val- in c's cgt-val-esc-",
  ]);
});

test.run();
