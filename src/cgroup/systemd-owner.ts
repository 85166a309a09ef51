// Does systemd have a unit for a cgroup? Asked of systemd itself (`systemctl show`), only
// when PID 1 is systemd, and only for the few directories a restore may leave behind: a
// unit's cgroup is systemd's to remove, never cgherd's.

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { unitsOnPath } from './systemd-units.js';

const SYSTEMCTL = ['/usr/bin/systemctl', '/bin/systemctl'];

/** A unit's LoadState ("loaded", "not-found", …), or undefined when systemctl fails. */
function loadState(systemctl: string, unit: string): string | undefined {
  const r = spawnSync(systemctl, ['show', '--property=LoadState', '--value', '--', unit], {
    encoding: 'utf8',
    timeout: 5_000,
    env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' },
  });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/**
 * Undefined without systemd; else a function saying why a cgroup path is systemd's (its
 * own unit, or a delegated sub-cgroup of one, is loaded), or undefined when no unit on it
 * is. A failing systemctl counts as "systemd's": removal is then skipped, never guessed.
 */
export function systemdOwner(): ((path: string) => string | undefined) | undefined {
  if (!existsSync('/run/systemd/system')) return undefined;
  const systemctl = SYSTEMCTL.find((p) => existsSync(p));
  if (systemctl === undefined) return undefined;
  const seen = new Map<string, string | undefined>();
  return (path) => {
    // The innermost unit decides: a slice above a removable scope is always loaded.
    const unit = unitsOnPath(path)
      .filter((u) => !u.endsWith('.slice'))
      .at(-1);
    if (unit === undefined) return undefined;
    if (!seen.has(unit)) seen.set(unit, loadState(systemctl, unit));
    const state = seen.get(unit);
    if (state === 'not-found') return undefined;
    return `systemd has unit ${unit} (${state ?? 'systemctl failed'})`;
  };
}
