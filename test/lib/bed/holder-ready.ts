// A namespace holder (a detached shell that keeps a bed's mounts for nsenter) is ready once
// it prints "ready". Podman's and containerd's beds both start one.

import type { ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';

type Holder = ChildProcessByStdio<null, Readable, Readable>;

/** The holder's pid once it printed "ready"; killed and rejected if it exits first, fails
 *  to start, or stays silent for 10 s. Its pipes are closed and it is unref'd, so it
 *  outlives nothing of this process but its own loop. */
export function holderReady(child: Holder, what: string): Promise<number> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const fail = (e: Error): void => {
      clearTimeout(timer);
      try {
        if (child.pid) process.kill(child.pid, 'SIGKILL');
      } catch {
        // gone
      }
      reject(e);
    };
    const timer = setTimeout(() => fail(new Error(`${what}: no "ready" in 10 s`)), 10_000);
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      if (!out.includes('ready')) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      child.stdout.destroy();
      child.stderr.destroy();
      child.unref();
      resolve(child.pid as number);
    });
    child.on('exit', (code) => fail(new Error(`${what} exited (${code}): ${err}`)));
    child.on('error', fail);
  });
}
