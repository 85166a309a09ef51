// One-line texts for a herd report: what the hooks print and refuse with.

import { printable } from '../proc/printable.js';
import type { HerdReport } from './types.js';

const MAX_LISTED = 8;

function more(count: number): string {
  return count > MAX_LISTED ? `, and ${count - MAX_LISTED} more` : '';
}

/** "pid 12 (sleep) in cpu:/a, freezer:/a; ..." for the strays, against the target. */
function summarizeStrays(report: HerdReport): string {
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

function summarizeFailures(report: HerdReport): string {
  const parts = report.failures
    .slice(0, MAX_LISTED)
    .map((f) => `pid ${f.pid} ${f.hierarchy} ${f.path}: ${f.code}`);
  return `${parts.join('; ')}${more(report.failures.length)}`;
}

/** The strays, with the failed moves in parentheses; undefined when there are none. */
export function describeStrays(report: HerdReport): string | undefined {
  if (report.strays.length === 0) return undefined;
  const failures = report.failures.length > 0 ? ` (${summarizeFailures(report)})` : '';
  // Process names and cgroup paths are the container's choice.
  return printable(`${summarizeStrays(report)}${failures}`);
}
