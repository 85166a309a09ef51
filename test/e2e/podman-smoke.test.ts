// Podman end to end, cgroup v1, with cgherd over crun 1.21 as the runtime: the everyday
// commands work, and an error from crun reaches the user exactly as crun wrote it.

import { suite } from 'uvu';
import { before } from '../lib/bed/before.js';
import * as assert from 'uvu/assert';
import { RUNTIMES, type RunResult } from '../lib/bed/bed.js';
import { PodmanBed } from '../lib/podman/podman.js';

const CGHERD = 'cgherd-crun121';
const CRUN = 'crun';
const test = suite('podman smoke (v1, cgherd over crun 1.21)');
let bed: PodmanBed | undefined;

function the(): PodmanBed {
  if (!bed) throw new Error('the Podman bed did not start');
  return bed;
}

function expectOk(r: RunResult, what: string): string {
  assert.is(r.code, 0, `${what}: exit ${r.code}\n${r.stderr}`);
  return r.stdout;
}

/** Container ids differ between two runs of the same call, and Podman prefixes crun's
 *  message with the name the runtime is registered under (`Error: crun: ...`). */
function mask(text: string, runtimeName: string): string {
  return text
    .replace(/\b[0-9a-f]{64}\b/g, '<ID>')
    .replace(/\b[0-9a-f]{12}\b/g, '<ID>')
    .replaceAll(`Error: ${runtimeName}: `, 'Error: <RUNTIME>: ');
}

/** `podman run -d` of `/bin/sh -c script` under cgherd. */
async function runDetached(bed: PodmanBed, name: string, script: string): Promise<void> {
  const args = ['run', '-d', '--runtime', CGHERD, '--name', name, bed.image];
  expectOk(await bed.podman([...args, '/bin/sh', '-c', script]), 'run -d');
}

async function status(bed: PodmanBed, name: string): Promise<string> {
  return expectOk(await bed.podman(['inspect', '--format', '{{.State.Status}}', name]), 'inspect');
}

before(test, async () => {
  bed = await PodmanBed.start(
    'v1',
    { [CGHERD]: { cgherdOver: RUNTIMES.crun121 }, [CRUN]: RUNTIMES.crun121 },
    { tag: 'smoke' },
  );
});

test.after(async () => {
  await bed?.stop();
});

test('Podman runs cgherd: the runtime version it reports is cgherd over crun', async () => {
  const out = expectOk(
    await the().podman(['--runtime', CGHERD, 'info', '--format', '{{.Host.OCIRuntime.Version}}']),
    'podman info',
  );
  assert.match(out, /cgherd version/);
  assert.match(out, /crun version 1\.21/);
});

test('run -d, exec, logs, stop, rm', async () => {
  const bed = the();
  const name = 'cgt-pod-smoke-life';
  try {
    await runDetached(bed, name, 'echo hello-from-cgherd; while :; do /bin/sleep 3600; done');
    const runtime = expectOk(
      await bed.podman(['inspect', '--format', '{{.OCIRuntime}}', name]),
      'inspect',
    );
    assert.is(runtime.trim(), CGHERD);
    assert.is(
      expectOk(await bed.podman(['exec', name, '/bin/echo', 'hi there']), 'exec'),
      'hi there\n',
    );
    const failed = await bed.podman(['exec', name, '/bin/sh', '-c', 'exit 7']);
    assert.is(failed.code, 7, 'exec passes the exit status through');
    assert.match(expectOk(await bed.podman(['logs', name]), 'logs'), 'hello-from-cgherd');
    expectOk(await bed.podman(['stop', '--time', '2', name]), 'stop');
    const state = await status(bed, name);
    assert.is(state.trim(), 'exited');
    expectOk(await bed.podman(['rm', name]), 'rm');
    assert.is.not((await bed.podman(['container', 'exists', name])).code, 0, 'gone after rm');
  } finally {
    await bed.podman(['rm', '--force', '--time', '0', name]);
  }
});

test('container checkpoint and container restore', async () => {
  const bed = the();
  const name = 'cgt-pod-smoke-cr';
  try {
    const script = 'i=0; while :; do i=$((i+1)); echo $i > /tmp/count; /bin/sleep 0.2; done';
    await runDetached(bed, name, script);
    await new Promise((r) => setTimeout(r, 600));
    expectOk(await bed.podman(['container', 'checkpoint', name]), 'checkpoint');
    const stopped = await status(bed, name);
    assert.is(stopped.trim(), 'exited');
    expectOk(await bed.podman(['container', 'restore', name]), 'restore');
    const running = await status(bed, name);
    assert.is(running.trim(), 'running');
    // The counter goes on from where it was: the process was restored, not restarted.
    const before = Number(
      expectOk(await bed.podman(['exec', name, '/bin/cat', '/tmp/count']), 'exec'),
    );
    assert.ok(before > 1, `count after restore is ${before}`);
    await new Promise((r) => setTimeout(r, 600));
    const after = Number(
      expectOk(await bed.podman(['exec', name, '/bin/cat', '/tmp/count']), 'exec'),
    );
    assert.ok(after > before, `the restored loop runs (${before} -> ${after})`);
    expectOk(await bed.podman(['stop', '--time', '2', name]), 'stop');
    expectOk(await bed.podman(['rm', name]), 'rm');
  } finally {
    await bed.podman(['rm', '--force', '--time', '0', name]);
  }
});

test("crun's error for a bad command reaches the user unchanged", async () => {
  const bed = the();
  const results: Record<string, RunResult> = {};
  for (const runtime of [CRUN, CGHERD]) {
    const name = `cgt-pod-smoke-bad-${runtime}`;
    try {
      results[runtime] = await bed.podman([
        'run',
        '--runtime',
        runtime,
        '--name',
        name,
        bed.image,
        '/nonexistent',
      ]);
    } finally {
      await bed.podman(['rm', '--force', '--time', '0', name]);
    }
  }
  const direct = results[CRUN] as RunResult;
  const via = results[CGHERD] as RunResult;
  // The control: crun itself refuses, with its own words.
  assert.is.not(direct.code, 0);
  assert.match(direct.stderr, /crun: .*\/nonexistent/);
  assert.is(via.code, direct.code, `exit code: crun ${direct.code}, cgherd ${via.code}`);
  assert.is(mask(via.stderr, CGHERD), mask(direct.stderr, CRUN));
  assert.is(mask(via.stdout, CGHERD), mask(direct.stdout, CRUN));
});

test.run();
