import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  parseOciState,
  parseStateFile,
  runtimeKind,
  stateFile,
  stateRoot,
} from '../../src/lower/state-root.js';

test('runtime kind from the path', () => {
  assert.is(runtimeKind('/usr/bin/crun'), 'crun');
  assert.is(runtimeKind('/var/cache/cgherd-testbed/crun-1.8.1/crun'), 'crun');
  assert.is(runtimeKind('/usr/sbin/runc'), 'runc');
  assert.is(runtimeKind('/usr/bin/youki'), 'other');
});

test('crun state root: --root, else non-empty XDG_RUNTIME_DIR/crun, else /run/crun', () => {
  assert.is(stateRoot('crun', '/r', { XDG_RUNTIME_DIR: '/x' }, 0), '/r');
  assert.is(stateRoot('crun', undefined, { XDG_RUNTIME_DIR: '/x' }, 0), '/x/crun');
  assert.is(stateRoot('crun', undefined, { XDG_RUNTIME_DIR: '' }, 0), '/run/crun');
  assert.is(stateRoot('crun', undefined, {}, 0), '/run/crun');
  assert.is(stateRoot('runc', undefined, { XDG_RUNTIME_DIR: '/x' }, 0), '/run/runc');
  assert.is(stateRoot('runc', undefined, { XDG_RUNTIME_DIR: '/x' }, 1000), '/x/runc');
});

test('state file: never outside the root', () => {
  assert.is(stateFile('crun', '/run/crun', 'a'), '/run/crun/a/status');
  assert.is(stateFile('runc', '/run/runc', 'a'), '/run/runc/a/state.json');
  for (const bad of ['', '..', '.', 'a/b', '../x'])
    assert.is(stateFile('crun', '/run/crun', bad), undefined);
});

test('crun status and runc state.json', () => {
  const crun = parseStateFile(
    'crun',
    '{\n "pid" : 4242,\n "process-start-time" : 12345,\n "cgroup-path" : "/bug2",\n "bundle" : "/b"\n}',
  );
  assert.equal(crun, {
    pid: 4242,
    startTime: 12345,
    cgroupPath: '/bug2',
    cgroupDirs: undefined,
  });
  const runc = parseStateFile(
    'runc',
    '{"id":"a","init_process_pid":77,"init_process_start":999,"cgroup_paths":{"":"/sys/fs/cgroup/a"}}',
  );
  assert.equal(runc?.pid, 77);
  assert.equal(runc?.startTime, 999);
  assert.equal(runc?.cgroupDirs, ['/sys/fs/cgroup/a']);
  assert.is(parseStateFile('crun', '{"pid":5,"cgroup-path":""}')?.cgroupPath, undefined);
  assert.is(parseStateFile('crun', '{"pid":0}'), undefined);
  assert.is(parseStateFile('crun', 'garbage'), undefined);
});

test('OCI state output', () => {
  assert.equal(parseOciState('{"ociVersion":"1.0.0","id":"a","pid":12,"status":"running"}'), {
    pid: 12,
    status: 'running',
  });
  assert.is(parseOciState('{"pid":0,"status":"stopped"}'), undefined);
});

test.run();
