import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { childrenFromPpids, missedDescendants } from '../../src/proc/tree.js';

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
