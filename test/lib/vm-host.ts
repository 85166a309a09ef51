// The Debian 12 VM of test/env/vm-host.sh for the e2e tests: the same face as the systemd
// host (SystemdHost: shell scripts inside as transient services, /opt/cgt shared), but a
// real kernel of its own, so cgroup v2 there is unified with every controller enabled.
// Boot it, and always end it again: nothing of it stays on this machine but the
// cached image.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as assert from 'uvu/assert';
import { REPO_ROOT, runCommand, type RunResult } from './bed/bed.js';
import { SystemdHost, TREE_SH } from './systemd-host.js';

const SCRIPT = join(REPO_ROOT, 'test', 'env', 'vm-host.sh');
const STATE = '/var/tmp/cgt-vm';

export class VmHost extends SystemdHost {
  /** Seen inside as /opt/cgt (9p). */
  override readonly share = join(STATE, 'share');

  override run(args: readonly string[], timeoutMs = 600_000): Promise<RunResult> {
    return runCommand('/bin/sh', [SCRIPT, ...args], { timeoutMs });
  }

  /** `accel=tcg boot_ms=… probe_ms=… breakpoints=…`, written by `start`. */
  bootTime(): string {
    return readFileSync(join(STATE, 'boot-time'), 'utf8').trim();
  }
}

/** Builds (or reuses) the image, then boots the VM after removing a leftover; `masked`
 *  units (of the image's, that the caller never uses) stay down: boot under TCG is CPU. */
export async function startVmHost(masked: readonly string[] = []): Promise<VmHost> {
  const host = new VmHost();
  const t0 = Date.now();
  const prep = await host.run(['prepare'], 1_800_000);
  assert.is(prep.code, 0, `vm-host.sh prepare: ${prep.stderr}`);
  const t1 = Date.now();
  if (existsSync(STATE)) await host.run(['stop']);
  const start = await host.run(['start', ...masked], 900_000);
  if (start.code !== 0) {
    await host.run(['stop'], 120_000);
    assert.unreachable(`vm-host.sh start: ${start.stderr}`);
  }
  console.log(
    `  VM image ready after ${t1 - t0} ms; running after ${Date.now() - t1} ms (${host.bootTime()})`,
  );
  mkdirSync(host.share, { recursive: true });
  writeFileSync(join(host.share, 'tree.sh'), TREE_SH, { mode: 0o755 });
  return host;
}

/** Ends the VM (qemu, whose image is a snapshot: nothing inside is kept); its share and
 *  state go too. */
export async function stopVmHost(host: VmHost): Promise<void> {
  const stop = await host.run(['stop'], 120_000);
  assert.is(stop.code, 0, `vm-host.sh stop: ${stop.stderr}`);
}
