// Turns an OperatorError into one plain line on stderr and its exit code. (oclif's own
// error printer wraps long lines and decorates them; a path must stay greppable.)

import type { Command } from '@oclif/core';
import { OperatorError } from './exit.js';

export async function guarded(cmd: Command, body: () => Promise<void> | void): Promise<void> {
  try {
    await body();
  } catch (err) {
    if (!(err instanceof OperatorError)) throw err;
    const name = ['cgherd', ...(cmd.id ?? '').split(':').filter(Boolean)].join(' ');
    process.stderr.write(`${name}: ${err.message}\n`);
    cmd.exit(err.exitCode);
  }
}
