import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { childrenFromPpids, descendants, missedDescendants } from '../../src/proc/tree.js';

const TREE = new Map<number, number[]>([
  [10, [11, 12]],
  [11, [13]],
  [12, []],
  [13, [14]],
]);

test('descendants: breadth first, root first', () => {
  assert.equal(
    descendants(10, (p) => TREE.get(p) ?? []),
    [10, 11, 12, 13, 14],
  );
});

test('descendants: a cycle (pid reuse in a stale listing) terminates', () => {
  const cyclic = new Map([
    [1, [2]],
    [2, [1, 3]],
  ]);
  assert.equal(
    descendants(1, (p) => cyclic.get(p) ?? []),
    [1, 2, 3],
  );
});

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

test('missedDescendants: what a ppid scan adds below the known members, nothing else', () => {
  const ppids = new Map([
    [10, 1],
    [11, 10],
    [12, 10], // missed by the children files
    [15, 12], // its child
    [20, 1], // unrelated
    [21, 20],
  ]);
  assert.equal(missedDescendants(new Set([10, 11]), ppids).sort(), [12, 15]);
  assert.equal(missedDescendants(new Set([10, 11, 12, 15]), ppids), []);
});

test.run();
