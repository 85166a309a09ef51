import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { childrenFromPpids, missedWithParents } from '../../src/proc/tree.js';

test('childrenFromPpids inverts a ppid map', () => {
  const kids = childrenFromPpids(
    new Map([
      [2, 1],
      [3, 1],
      [4, 3],
    ]),
  );
  assert.equal(kids.get(1), [2, 3]);
  assert.equal(kids.get(3), [4]);
});

/** pid -> ppid as a scan reads it, each process started at 100 + pid. */
function scanned(ppids: [number, number][]): Map<number, { ppid: number; startTime: number }> {
  return new Map(ppids.map(([pid, ppid]) => [pid, { ppid, startTime: 100 + pid }]));
}

const members = (pids: number[]): Map<number, number> => new Map(pids.map((p) => [p, 100 + p]));

test('missedWithParents: what a ppid scan adds below the known members, nothing else', () => {
  const procs = scanned([
    [10, 1],
    [11, 10],
    [12, 10], // missed by the children files
    [15, 12], // its child
    [20, 1], // unrelated
    [21, 20],
  ]);
  const missed = missedWithParents(members([10, 11]), procs);
  assert.equal(missed.map((m) => m.pid).sort(), [12, 15]);
  assert.equal(
    missed.find((m) => m.pid === 15),
    { pid: 15, startTime: 115, parent: 12, parentStart: 112 },
  );
  assert.equal(missedWithParents(members([10, 11, 12, 15]), procs), []);
});

test('missedWithParents: a child older than the member its ppid names is not its child', () => {
  // Member 10 as recorded started at 500: 12 (started at 112) was forked by an earlier 10.
  const procs = scanned([[12, 10]]);
  assert.equal(missedWithParents(new Map([[10, 500]]), procs), []);
});

test.run();
