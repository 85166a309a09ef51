// Flags and set-up shared by inspect and repair: which runtime, which state root.

import { Args, Flags } from '@oclif/core';
import { ConfigError, loadSettings } from '../../config/load.js';
import { HerdError } from '../../herd/index.js';
import { printable } from '../../proc/printable.js';
import { EXIT, OperatorError, type ExitCode } from '../exit.js';
import { locateContainer, type LocatedContainer } from './locate.js';

export const containerArgs = {
  id: Args.string({ description: 'container id, as the lower runtime knows it', required: true }),
};

export const containerFlags = {
  root: Flags.string({
    description: "the lower runtime's state root (as its --root); default: its own default",
  }),
  runtime: Flags.string({
    description: 'lower runtime binary (default: from /etc/cgherd/config.json or CGHERD_RUNTIME)',
  }),
  json: Flags.boolean({ description: 'print the full report as JSON', default: false }),
};

/** The exit statuses inspect and repair can end with, for their --help. */
export const CONTAINER_EXIT_CODES: readonly ExitCode[] = [
  EXIT.OK,
  EXIT.PROBLEM,
  EXIT.USAGE,
  EXIT.NOT_FOUND,
  EXIT.NOT_RUNNING,
  EXIT.PERMISSION,
  EXIT.CONFIG,
];

function resolveRuntime(explicit: string | undefined): string {
  if (explicit) return explicit;
  try {
    return loadSettings(process.env).lowerRuntime;
  } catch (err) {
    if (err instanceof ConfigError) throw new OperatorError(err.message, EXIT.CONFIG);
    throw err;
  }
}

function locate(flags: { root?: string; runtime?: string }, id: string): LocatedContainer {
  return locateContainer(resolveRuntime(flags.runtime), flags.root, id);
}

/** A herd that cannot start names why; the container is gone, or the host has no cgroups. */
function herdErrorToOperator(err: unknown, id: string): never {
  if (err instanceof HerdError) {
    const code = err.code === 'ENOINIT' ? EXIT.NOT_RUNNING : EXIT.CONFIG;
    throw new OperatorError(printable(`container ${id}: ${err.message}`), code);
  }
  if (
    (err as NodeJS.ErrnoException).code === 'EACCES' ||
    (err as NodeJS.ErrnoException).code === 'EPERM'
  ) {
    throw new OperatorError(
      printable(`container ${id}: ${(err as Error).message}`),
      EXIT.PERMISSION,
    );
  }
  throw err;
}

/** Locates the container and runs `herdCall` on it (inspect or herd), its errors as operator errors. */
export function onContainer<R>(
  flags: { root?: string; runtime?: string },
  id: string,
  herdCall: (c: LocatedContainer) => R,
): { container: LocatedContainer; report: R } {
  const container = locate(flags, id);
  try {
    return { container, report: herdCall(container) };
  } catch (err) {
    herdErrorToOperator(err, id);
  }
}
