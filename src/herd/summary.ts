// One-line texts for a herd report: what the hooks print and refuse with.

import type { HerdReport } from './types.js';

const MAX_LISTED = 8;

function more(count: number): string {
  return count > MAX_LISTED ? `, and ${count - MAX_LISTED} more` : '';
}

/** "pid 12 (sleep) in cpu:/a, freezer:/a; ..." for the strays, against the target. */
export function summarizeStrays(report: HerdReport): string {
  const byPid = new Map(report.members.map((m) => [m.pid, m]));
  const parts = report.strays.slice(0, MAX_LISTED).map((pid) => {
    const member = byPid.get(pid);
    if (!member) return `pid ${pid}`;
    const places = report.target
      .filter(
        (t) => member.cgroups[t.hierarchy] !== undefined && member.cgroups[t.hierarchy] !== t.path,
      )
      .map((t) => `${t.hierarchy}:${member.cgroups[t.hierarchy]}`);
    return `pid ${pid} (${member.comm}) in ${places.join(', ')}`;
  });
  const where = [...new Set(report.target.map((t) => t.path))].join(', ');
  return (
    `${report.strays.length} process(es) of container init ${report.initPid} are outside its cgroup ${where}: ` +
    `${parts.join('; ')}${more(report.strays.length)}`
  );
}

export function summarizeFailures(report: HerdReport): string {
  const parts = report.failures
    .slice(0, MAX_LISTED)
    .map((f) => `pid ${f.pid} ${f.hierarchy} ${f.path}: ${f.code}`);
  return `${parts.join('; ')}${more(report.failures.length)}`;
}
