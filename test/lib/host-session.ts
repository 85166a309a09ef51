// One booted host (the nspawn systemd host or the VM) for the tests of one file: started
// and prepared in before(), stopped in after(). uvu does not run after() when before()
// throws, so a failed preparation powers the host off itself: nothing is left running.

import { test } from 'uvu';

export interface HostSession<H> {
  /** The running host; throws outside before()..after(). */
  host(): H;
}

export function hostSession<H>(
  name: string,
  start: () => Promise<H>,
  stop: (host: H) => Promise<void>,
  prepare: (host: H) => Promise<void>,
): HostSession<H> {
  let current: H | undefined;
  const t0 = Date.now();
  test.before(async () => {
    const host = await start();
    try {
      await prepare(host);
    } catch (error) {
      await stop(host);
      throw error;
    }
    current = host;
  });
  test.after(async () => {
    if (current !== undefined) await stop(current);
    current = undefined;
    console.log(`  ${name}: ${((Date.now() - t0) / 1000).toFixed(1)} s in all`);
  });
  return {
    host(): H {
      if (current === undefined) throw new Error(`${name}: no host`);
      return current;
    },
  };
}
