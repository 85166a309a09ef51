// The container's init when the lower runtime recorded no start time (a runtime named
// neither crun nor runc; a state with a pid only): it is herded only when proven to be pid
// 1 of a pid namespace below cgherd's, and then held to the start time read with that
// proof; otherwise the state read refuses (InitNotProven), so the hooks forward untouched.
// Before this, such a pid was trusted as it was: a reused pid's new owner (any host
// process) was herded as the container's init.

import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { InitNotProven, readContainerState } from '../../src/lower/state.js';
import { parseNsPids, provePidNamespaceInit } from '../../src/proc/ns-init.js';
import { FakeHost } from '../fixtures/proc/fake-host.js';

/** A host with a container init 500 (NSpid 500 1) and a host process 300 (NSpid 300). */
function host(): FakeHost {
  const h = FakeHost.v2();
  h.spawn(1, 0, '/');
  h.spawn(300, 1, '/', { comm: 'sshd' });
  h.spawn(500, 1, '/c', { comm: 'sh', start: 4242 });
  const read = h.readText.bind(h);
  h.readText = (path: string) => {
    const m = /^\/proc\/(\d+)\/status$/.exec(path);
    if (!m) return read(path);
    const p = h.procs.get(Number(m[1]));
    if (!p) return undefined;
    const nspid = p.pid === 500 ? '500\t1' : String(p.pid);
    return `Name:\t${p.comm}\nTgid:\t${p.pid}\nNSpid:\t${nspid}\nPPid:\t${p.ppid}\n`;
  };
  return h;
}

test('a pid namespace init is proven, with the start time read with the proof', () => {
  assert.equal(provePidNamespaceInit(host(), 500), { startTime: 4242 });
});

test('a host process (the pid reused) is refused', () => {
  const proof = provePidNamespaceInit(host(), 300);
  assert.ok('refused' in proof);
  assert.match('refused' in proof ? proof.refused : '', /not pid 1 of a pid namespace/);
});

test('a pid reused while the proof is read is refused', () => {
  const h = host();
  const read = h.readText.bind(h);
  h.readText = (path: string) => {
    const text = read(path);
    // Right after the status was read, the init exits and its pid goes to a new process.
    if (path === '/proc/500/status') h.spawn(500, 300, '/', { comm: 'impostor', start: 9999 });
    return text;
  };
  const proof = provePidNamespaceInit(h, 500);
  assert.match('refused' in proof ? proof.refused : '', /exited while it was read/);
});

test('a gone pid, and a status without NSpid, are refused', () => {
  assert.ok('refused' in provePidNamespaceInit(host(), 4040));
  assert.is(parseNsPids('Name:\tx\n'), undefined);
  assert.equal(parseNsPids('NSpid:\t12\t7\t1\n'), [12, 7, 1]);
});

/** A state root with one crun container whose status file says `status`. */
function crunRoot(status: Record<string, unknown>): { root: string; done: () => void } {
  const root = mkdtempSync(join(tmpdir(), 'cgherd-init-'));
  mkdirSync(join(root, 'c1'));
  writeFileSync(join(root, 'c1', 'status'), JSON.stringify(status));
  return { root, done: () => rmSync(root, { recursive: true, force: true }) };
}

test('a crun state with a pid only: the state read refuses a pid that is no namespace init', () => {
  // This test's own process: a host process like any reused pid's new owner.
  const { root, done } = crunRoot({ pid: process.pid });
  try {
    assert.throws(
      () => readContainerState({ path: '/usr/bin/crun', root }, 'c1'),
      (e: unknown) => e instanceof InitNotProven && /not pid 1 of a pid namespace/.test(e.message),
    );
  } finally {
    done();
  }
});

test('control: the same state with the recorded start time is taken as recorded', () => {
  const { root, done } = crunRoot({ pid: process.pid, 'process-start-time': 777 });
  try {
    const state = readContainerState({ path: '/usr/bin/crun', root }, 'c1');
    assert.is(state.pid, process.pid);
    assert.is(state.startTime, 777);
  } finally {
    done();
  }
});

test('a runtime named neither crun nor runc: its `state` pid is refused the same way', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cgherd-init-'));
  try {
    const runtime = join(dir, 'youki');
    writeFileSync(
      runtime,
      `#!/bin/sh\necho '{"ociVersion":"1.0.2","id":"c1","status":"running","pid":${process.pid}}'\n`,
    );
    chmodSync(runtime, 0o755);
    assert.throws(
      () => readContainerState({ path: runtime, root: undefined }, 'c1'),
      (e: unknown) => e instanceof InitNotProven,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
