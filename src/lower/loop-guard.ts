// The lower runtime must never be cgherd itself: `install podman --as crun` makes that an
// easy mistake (the lower runtime set to the path cgherd now answers at), and a loop of
// exec's never ends. Two guards, one error:
//   - the same file: the lower runtime's real path is the launcher's (a symlink to it, a
//     hard link, the launcher itself);
//   - a wrapper that execs cgherd: bin/cgherd exports CGHERD_LOOP_GUARD (its own path) to
//     everything it starts, Node included, and refuses to run when it finds it set.
// crun and runc do not pass their own environment into the container, so the variable
// stays out of containers (test/integration/broken-config-teardown.test.ts prints `env` in one).

import { realpathSync } from 'node:fs';

export const LOOP_GUARD_VARIABLE = 'CGHERD_LOOP_GUARD';

function real(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/** The error when `lower` is one of `launchers` (after symlinks), else undefined. */
export function loopProblem(lower: string, launchers: readonly string[]): string | undefined {
  const target = real(lower);
  for (const launcher of launchers) {
    if (launcher !== '' && real(launcher) === target) {
      return (
        `the lower runtime ${lower} is cgherd itself (${target}): set "runtime" in ` +
        '/etc/cgherd/config.json (or CGHERD_RUNTIME) to the real crun or runc'
      );
    }
  }
  return undefined;
}
