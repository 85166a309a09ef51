// The commands that pay for Node start-up. bin/cgherd holds the same rule for its fast
// path; test/unit/lower-rule.test.ts keeps the two in step.

import type { ParsedArgv } from '../call/argv.js';

export const INTERCEPTED_COMMANDS: readonly string[] = ['create', 'run', 'restore', 'checkpoint'];

export function isIntercepted(parsed: ParsedArgv): boolean {
  if (parsed.command === undefined) return false;
  if (!INTERCEPTED_COMMANDS.includes(parsed.command)) return false;
  // `checkpoint --help` is Podman's probe before every checkpoint and restore.
  return !parsed.help;
}

/** Descriptors the container inherits beyond 0–2: --preserve-fds N plus LISTEN_FDS. */
export function inheritedFdCount(parsed: ParsedArgv, env: Readonly<NodeJS.ProcessEnv>): number {
  const preserve = Number(parsed.options.get('preserve-fds') ?? 0);
  const listen = Number(env.LISTEN_FDS ?? 0);
  const total =
    (Number.isInteger(preserve) ? preserve : 0) + (Number.isInteger(listen) ? listen : 0);
  return Math.max(0, Math.min(total, 1024));
}
