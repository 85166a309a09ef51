// Proves: cgherd computes the systemd manager's scope and leaf the way crun 1.8-1.21 and
// systemd do (get_systemd_scope_and_slice, find_systemd_subgroup, unit_name_to_path), and
// declines the forms it would have to guess.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  crunSystemdCgroup,
  sliceCgroupPath,
  systemdSubgroupAnnotation,
} from '../../src/lower/systemd-cgroup.js';

test("Podman's machine.slice:libpod:ID gives the scope and its container leaf", () => {
  assert.equal(crunSystemdCgroup('machine.slice:libpod:abc123', undefined), {
    slice: 'machine.slice',
    scope: 'libpod-abc123.scope',
    scopePath: '/machine.slice/libpod-abc123.scope',
    leafPath: '/machine.slice/libpod-abc123.scope/container',
  });
});

test('the subgroup annotation names the leaf; empty means the scope itself', () => {
  const named = crunSystemdCgroup('machine.slice:libpod:x', 'payload');
  assert.is(
    'error' in named ? named.error : named.leafPath,
    '/machine.slice/libpod-x.scope/payload',
  );
  const none = crunSystemdCgroup('machine.slice:libpod:x', '');
  assert.is('error' in none ? none.error : none.leafPath, '/machine.slice/libpod-x.scope');
  assert.ok('error' in crunSystemdCgroup('machine.slice:libpod:x', '../up'));
});

test("a slice's cgroup is its dash-separated ancestry", () => {
  assert.is(sliceCgroupPath('machine.slice'), '/machine.slice');
  assert.is(
    sliceCgroupPath('kubepods-besteffort-pod1.slice'),
    '/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod1.slice',
  );
  assert.is(sliceCgroupPath('-.slice'), '/');
  const root = crunSystemdCgroup('-.slice:crun:c1', undefined);
  assert.is('error' in root ? root.error : root.scopePath, '/crun-c1.scope');
});

test('forms cgherd does not guess are errors, never a path', () => {
  for (const p of [
    undefined,
    '',
    'machine.slice:libpod',
    'a:b:c:d',
    'machine:libpod:x',
    'machine.slice::x',
    'a--b.slice:p:x',
    'bad/slice.slice:p:x',
  ]) {
    assert.ok('error' in crunSystemdCgroup(p, undefined), String(p));
  }
});

test('the annotation is read from config.annotations only when it is a string', () => {
  assert.is(systemdSubgroupAnnotation({ annotations: { 'run.oci.systemd.subgroup': '' } }), '');
  assert.is(
    systemdSubgroupAnnotation({ annotations: { 'run.oci.systemd.subgroup': 1 } }),
    undefined,
  );
  assert.is(systemdSubgroupAnnotation({}), undefined);
  assert.is(systemdSubgroupAnnotation(null), undefined);
});

test.run();
