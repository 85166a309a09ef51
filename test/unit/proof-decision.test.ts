// The proof's two pure parts: whether a container can move its own processes (from its
// config.json), and whether a record still proves the container as it is now: a reboot
// (another boot id), an id made again (another state file text), another state root.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { canMoveOwnProcesses } from '../../src/proof/movable.js';
import { formatProof, proofMismatch, unrecordable } from '../../src/proof/record.js';
import { proofFileName } from '../../src/proof/store.js';
import { buildConfig } from '../lib/scenario/bundle.js';

type Config = Record<string, unknown> & {
  process: { capabilities: Record<string, string[]> };
  linux: { namespaces: Record<string, unknown>[] };
  mounts: Record<string, unknown>[];
};

/** The test bed's bundle config with a private cgroup namespace: provable. */
function provable(): Config {
  return buildConfig({ tree: 'tree8', mode: 'v2', cgroupNamespace: true }) as unknown as Config;
}

test('the test bed bundle with a private cgroup namespace cannot move its processes', () => {
  assert.equal(canMoveOwnProcesses(provable()), { movable: false });
});

test('CAP_SYS_ADMIN in any set, or capabilities absent: movable', () => {
  for (const set of ['bounding', 'effective', 'inheritable', 'permitted', 'ambient']) {
    const c = provable();
    c.process.capabilities[set] = ['CAP_KILL', 'CAP_SYS_ADMIN'];
    const r = canMoveOwnProcesses(c);
    assert.ok(r.movable && r.why.includes(set), `${set}: ${JSON.stringify(r)}`);
  }
  const c = provable();
  delete (c.process as Record<string, unknown>).capabilities;
  assert.ok(canMoveOwnProcesses(c).movable);
});

test('the host cgroup or mount namespace, or one joined by path: movable', () => {
  for (const type of ['cgroup', 'mount']) {
    const shared = provable();
    shared.linux.namespaces = shared.linux.namespaces.filter((n) => n.type !== type);
    assert.ok(canMoveOwnProcesses(shared).movable, `shares ${type}`);
    const joined = provable();
    for (const n of joined.linux.namespaces) if (n.type === type) n.path = '/proc/1/ns/' + type;
    assert.ok(canMoveOwnProcesses(joined).movable, `joins ${type}`);
  }
  assert.ok(canMoveOwnProcesses(buildConfig({ tree: 'tree8', mode: 'v1' })).movable);
});

test('a writable cgroup mount, or a bind of what holds the host cgroup mounts: movable', () => {
  const rw = provable();
  const cg = rw.mounts.find((m) => m.type === 'cgroup') as { options: string[] };
  cg.options = cg.options.filter((o) => o !== 'ro');
  assert.ok(canMoveOwnProcesses(rw).movable, 'rw cgroup');
  const both = provable();
  (both.mounts.find((m) => m.type === 'cgroup') as { options: string[] }).options.push('rw');
  assert.ok(canMoveOwnProcesses(both).movable, 'ro and rw: rw wins');
  for (const source of [
    '/',
    '/sys',
    '/sys/',
    '/sys/fs',
    '/sys/fs/cgroup',
    '/sys/fs/cgroup/freezer',
  ]) {
    const c = provable();
    c.mounts.push({ destination: '/host', type: 'bind', source, options: ['rbind', 'ro'] });
    assert.ok(canMoveOwnProcesses(c).movable, `bind of ${source}`);
  }
  const other = provable();
  other.mounts.push({
    destination: '/data',
    type: 'bind',
    source: '/srv/data',
    options: ['rbind'],
  });
  assert.equal(canMoveOwnProcesses(other), { movable: false }, 'a bind of an unrelated folder');
  const cg2 = provable();
  cg2.mounts.push({ destination: '/x', type: 'cgroup2', source: 'cgroup2', options: [] });
  assert.ok(canMoveOwnProcesses(cg2).movable, 'cgroup2 without ro');
});

test('bad input is movable, with a reason, and never throws', () => {
  for (const bad of [null, 1, 'x', [], { process: 1 }, { ...provable(), mounts: 'x' }]) {
    const r = canMoveOwnProcesses(bad);
    assert.ok(r.movable && r.why.length > 0, JSON.stringify(bad));
  }
});

const STATUS =
  '{"pid":4242,"process-start-time":99,"cgroup-path":"/c","created":"2026-12-06T08:00:00Z"}';
const FACTS = { bootId: 'boot-a', statusPath: '/run/crun/c/status', statusText: STATUS };

test('a record proves the container it was written for, and only that one', () => {
  const record = formatProof(FACTS);
  assert.is(record.split('\n')[0], 'cgherd-proof 1');
  assert.is(proofMismatch(record, FACTS), undefined);
  assert.is(proofMismatch(record, { ...FACTS, statusText: `${STATUS}\n` }), undefined);
  assert.match(proofMismatch(record, { ...FACTS, bootId: 'boot-b' }) ?? '', 'another boot');
  const again = STATUS.replace('4242', '4343').replace('T08', 'T09');
  assert.match(proofMismatch(record, { ...FACTS, statusText: again }) ?? '', 'made again');
  assert.ok(proofMismatch(record, { ...FACTS, statusPath: '/other/c/status' }));
  assert.ok(proofMismatch('', FACTS));
  assert.ok(proofMismatch(`cgherd-proof 1\nboot-a\n/run/crun/c/status\n`, FACTS), 'no state');
  assert.ok(proofMismatch(record.replace('cgherd-proof 1', 'cgherd-proof 2'), FACTS));
});

test('facts the launcher could not read back are never recorded', () => {
  assert.is(unrecordable(FACTS), undefined);
  assert.ok(unrecordable({ ...FACTS, bootId: '' }));
  assert.ok(unrecordable({ ...FACTS, bootId: 'a\nb' }));
  assert.ok(unrecordable({ ...FACTS, statusPath: 'run/crun/c/status' }));
  assert.ok(unrecordable({ ...FACTS, statusText: '' }));
  for (const id of [undefined, '', '.', '..', 'a/b', 'a\nb'])
    assert.is(proofFileName(id), undefined);
  assert.is(proofFileName('cgt-1'), 'cgt-1');
});

test.run();
