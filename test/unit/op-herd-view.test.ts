import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { HerdReport } from '../../src/herd/index.js';
import {
  inspectVerdict,
  repairExit,
  repairLines,
  treeLines,
} from '../../src/operator/container/report-lines.js';
import { EXIT } from '../../src/operator/exit.js';

const HIER = ['cpu', 'freezer'];

function report(strayPids: number[], extra: Partial<HerdReport> = {}): HerdReport {
  const tree: [number, number, string][] = [
    [10, 1, 'sh'],
    [11, 10, 'sleep'],
    [12, 10, 'sh'],
    [13, 12, 'sleep'],
  ];
  return {
    initPid: 10,
    target: HIER.map((h) => ({
      hierarchy: h,
      path: '/new',
      mount: `/sys/fs/cgroup/${h}`,
      dir: `/sys/fs/cgroup/${h}/new`,
      version: 1,
      controllers: h,
    })),
    members: tree.map(([pid, ppid, comm]) => ({
      pid,
      ppid,
      comm,
      state: 'S',
      stray: strayPids.includes(pid),
      cgroups: Object.fromEntries(HIER.map((h) => [h, strayPids.includes(pid) ? '/old' : '/new'])),
    })),
    moved: [],
    failures: [],
    skipped: [],
    passes: 1,
    converged: strayPids.length === 0,
    strays: strayPids,
    foundByPpidScan: [],
    dryRun: false,
    durationMs: 1,
    ...extra,
  };
}

test('the tree reads parent before child, strays marked', () => {
  const lines = treeLines(report([12, 13]));
  assert.match(lines[0] ?? '', /^\s*PID\s+PPID COMMAND\s+CGROUP$/);
  assert.equal(
    lines.slice(1).map((l) => l.replace(/\s+/g, ' ').trim()),
    [
      '10 1 sh /new',
      '11 10 sleep /new',
      '12 10 sh /old <- STRAY (every hierarchy)',
      '13 12 sleep /old <- STRAY (every hierarchy)',
    ],
  );
});

test('a stray in one hierarchy only is shown per hierarchy', () => {
  const r = report([]);
  const m = r.members[1];
  if (!m) throw new Error('fixture');
  m.cgroups.freezer = '/old';
  m.stray = true;
  r.strays = [11];
  const line = treeLines(r).find((l) => l.includes(' 11 ')) ?? '';
  assert.match(line, /cpu:\/new freezer:\/old\s+<- STRAY \(freezer\)/);
});

test('verdicts', () => {
  assert.is(inspectVerdict(report([]), 'c').nextCheckpoint, 'ok');
  const bad = inspectVerdict(report([11, 12, 13]), 'c');
  assert.is(bad.nextCheckpoint, 'fail');
  assert.match(bad.summary, /^3 of 4 process\(es\) are outside .* would fail .*cgherd repair c/);
});

test('repair lines and exit codes', () => {
  const moved = report([], {
    moved: HIER.map((h) => ({ pid: 11, hierarchy: h, from: '/old', to: '/new' })),
  });
  assert.equal(repairLines(moved), ['moved pid 11 (sleep) from /old (every hierarchy)']);
  assert.is(repairExit(moved), EXIT.OK);
  const denied = report([11], {
    failures: [
      {
        pid: 11,
        hierarchy: 'cpu',
        path: '/sys/fs/cgroup/cpu/new',
        code: 'EROFS',
        message: 'read-only',
      },
    ],
  });
  assert.is(repairExit(denied), EXIT.PERMISSION);
  const busy = report([11], {
    failures: [{ pid: 11, hierarchy: 'cpu', path: '/x', code: 'EBUSY', message: 'busy' }],
  });
  assert.is(repairExit(busy), EXIT.PROBLEM);
  assert.is(repairExit(report([11], { dryRun: true })), EXIT.PROBLEM);
  assert.is(repairExit(report([], { dryRun: true })), EXIT.OK);
  assert.equal(repairLines(report([], { dryRun: true })), ['nothing would move']);
});

test.run();
