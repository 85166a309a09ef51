// containerd's CRIU finds the test bed's criu wrapper (test/env/breakpoints.sh, installed at
// /usr/local/sbin/criu on a machine without hardware breakpoints) like everyone else's:
// through PATH. The shim runs the runtime with its own environment, which it has from the
// daemon, and libcriu starts `criu swrk` through PATH. So the shim of a running container
// must have /usr/local/sbin before /usr/sbin, as systemd gives a service. Read from the
// live shim, not from the script that starts the daemon.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, readdirSync } from 'node:fs';
import { CTD_IMAGE, type ContainerdBed } from '../lib/containerd/containerd.js';
import { withSessionBed } from '../lib/containerd/ctd-session.js';
import { CTD_RUNTIMES } from '../lib/containerd/ctd-runtimes.js';

const SHIM = '/usr/bin/containerd-shim-runc-v2';

/** The shims serving container `id` of this bed. */
function shimsOf(bed: ContainerdBed, id: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const argv = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0');
      if (argv[0] === SHIM && argv.includes(bed.socket) && argv.includes(id)) {
        pids.push(Number(name));
      }
    } catch {
      // gone
    }
  }
  return pids;
}

test("v1: a running container's shim has /usr/local/sbin before /usr/sbin on PATH", async () => {
  await withSessionBed('v1', 'bpw', async (bed) => {
    const id = 'cgt-ctd-bpw-0';
    const binary = bed.runtimeBinary(CTD_RUNTIMES.runc, { ownCgroup: false });
    try {
      await bed.ok([
        'run',
        '--detach',
        '--null-io',
        '--runc-binary',
        binary,
        CTD_IMAGE,
        id,
        '/bin/sleep',
        '3600',
      ]);
      const shims = shimsOf(bed, id);
      assert.is(shims.length, 1, `shims of ${id}: ${shims.join(',')}`);
      const env = readFileSync(`/proc/${shims[0]}/environ`, 'utf8').split('\0');
      const path = (env.find((e) => e.startsWith('PATH=')) ?? 'PATH=').slice(5).split(':');
      console.log(`  shim PATH=${path.join(':')}`);
      const local = path.indexOf('/usr/local/sbin');
      assert.ok(local >= 0 && local < path.indexOf('/usr/sbin'), `shim PATH=${path.join(':')}`);
    } finally {
      await bed.remove(id);
    }
  });
});

test.run();
