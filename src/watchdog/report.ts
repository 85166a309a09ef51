// The one error record a stalled checkpoint or restore gets. Pure.

import type { Stall } from './watch.js';

export function stallMessage(
  command: string,
  stall: Stall,
  timeoutSec: number,
  thawed: boolean,
): string {
  const seconds = Math.round(stall.quietMs / 1000);
  const pids = stall.killed.join(', ');
  const parts = [
    `${command} stalled: CRIU made no progress for ${seconds} s ` +
      `(its log and image files stopped changing; stall timeout ${timeoutSec} s)`,
    `cgherd stopped CRIU (SIGKILL to pid ${pids})` + (thawed ? ' and thawed the container' : ''),
  ];
  if (stall.log !== undefined && stall.log.lines.length > 0) {
    parts.push(`last lines of ${stall.log.file}: ${stall.log.lines.join(' | ')}`);
  }
  parts.push(
    'run `cgherd doctor` (a host without hardware breakpoints makes CRIU < 4.2 hang); ' +
      'raise "criuStallTimeout" in /etc/cgherd/config.json if CRIU needs longer',
  );
  return parts.join('; ');
}
