// Where this installation's launcher lives: for the drop-in that registers it with Podman,
// and for doctor's view of a takeover.

import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The package root: dist/src/operator/launcher.js is three levels below it. */
export function packageRoot(): string {
  return fileURLToPath(new URL('../../../', import.meta.url)).replace(/\/$/, '');
}

function real(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}

/**
 * The path to register: /usr/bin/cgherd when it leads to this very launcher (it survives
 * upgrades that move the lib dir), else the launcher's own path.
 */
export function launcherPath(
  candidates: readonly string[] = ['/usr/bin/cgherd', '/usr/local/bin/cgherd'],
): string {
  const own = `${packageRoot()}/bin/cgherd`;
  const ownReal = real(own) ?? own;
  for (const c of candidates) if (real(c) === ownReal) return c;
  return own;
}
