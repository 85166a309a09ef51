// How inspect and repair show a herd report to a person. Pure: report in, lines out.
// Process names and cgroup paths are the container's choice: every line passes through
// printable() (no control character reaches the operator's terminal).

import type { HerdMember, HerdReport } from '../../herd/index.js';
import { printable } from '../../proc/printable.js';
import { EXIT, type ExitCode } from '../exit.js';

export interface Verdict {
  /** Would a checkpoint with the plain lower runtime succeed as things stand? */
  nextCheckpoint: 'ok' | 'fail';
  summary: string;
}

/** Depth of each member below the init, from the ppid links inside the tree. */
function depths(members: readonly HerdMember[], initPid: number): Map<number, number> {
  const ppid = new Map(members.map((m) => [m.pid, m.ppid]));
  const depth = new Map<number, number>();
  const of = (pid: number, guard = 0): number => {
    const known = depth.get(pid);
    if (known !== undefined) return known;
    const parent = ppid.get(pid);
    const d =
      pid === initPid || parent === undefined || !ppid.has(parent) || guard > 64
        ? 0
        : of(parent, guard + 1) + 1;
    depth.set(pid, d);
    return d;
  };
  for (const m of members) of(m.pid);
  return depth;
}

/** Parents before children, siblings by pid: the order a tree reads in. */
function treeOrder(members: readonly HerdMember[], initPid: number): HerdMember[] {
  const byParent = new Map<number, HerdMember[]>();
  const pids = new Set(members.map((m) => m.pid));
  const roots: HerdMember[] = [];
  for (const m of members) {
    if (m.pid === initPid || !pids.has(m.ppid)) roots.push(m);
    else byParent.set(m.ppid, [...(byParent.get(m.ppid) ?? []), m]);
  }
  const out: HerdMember[] = [];
  const visit = (m: HerdMember): void => {
    out.push(m);
    for (const c of (byParent.get(m.pid) ?? []).sort((a, b) => a.pid - b.pid)) visit(c);
  };
  for (const r of roots.sort((a, b) =>
    a.pid === initPid ? -1 : b.pid === initPid ? 1 : a.pid - b.pid,
  ))
    visit(r);
  return out;
}

/** "/a" when every hierarchy agrees, else "cpu:/a freezer:/b …". */
function cgroupText(member: HerdMember, report: HerdReport): string {
  const paths = report.target
    .map((t) => member.cgroups[t.hierarchy])
    .filter((p): p is string => p !== undefined);
  const unique = [...new Set(paths)];
  if (unique.length === 1) return unique[0] as string;
  return report.target.map((t) => `${t.hierarchy}:${member.cgroups[t.hierarchy] ?? '?'}`).join(' ');
}

function strayWhere(member: HerdMember, report: HerdReport): string {
  const off = report.target.filter((t) => {
    const p = member.cgroups[t.hierarchy];
    return p !== undefined && p !== t.path;
  });
  return off.length === report.target.length
    ? 'every hierarchy'
    : off.map((t) => t.hierarchy).join(', ');
}

export function targetLine(report: HerdReport): string {
  const paths = [...new Set(report.target.map((t) => t.path))];
  const v = report.target.some((t) => t.version === 2) ? 'v2' : 'v1';
  return printable(
    `init ${report.initPid}, cgroup ${paths.join(', ')} (${v}: ${report.target.map((t) => t.hierarchy).join(' ')})`,
  );
}

export function treeLines(report: HerdReport): string[] {
  const depth = depths(report.members, report.initPid);
  const ordered = treeOrder(report.members, report.initPid);
  const rows = ordered.map((m) => {
    const indent = '  '.repeat(depth.get(m.pid) ?? 0);
    // Escaped before padding, so that the columns line up as printed.
    const name = `${indent}${printable(m.comm)}${m.state === 'Z' ? ' <defunct>' : ''}`;
    const cg = printable(cgroupText(m, report));
    return { pid: String(m.pid), ppid: String(m.ppid), name, cg, m };
  });
  const w = (k: 'pid' | 'ppid' | 'name'): number =>
    Math.max(k.length, ...rows.map((r) => r[k].length));
  const [wp, wpp, wn] = [w('pid'), w('ppid'), Math.min(w('name'), 32)];
  const lines = [`${'PID'.padStart(wp)} ${'PPID'.padStart(wpp)} ${'COMMAND'.padEnd(wn)} CGROUP`];
  for (const r of rows) {
    const mark = r.m.stray ? `   <- STRAY (${strayWhere(r.m, report)})` : '';
    lines.push(`${r.pid.padStart(wp)} ${r.ppid.padStart(wpp)} ${r.name.padEnd(wn)} ${r.cg}${mark}`);
  }
  return lines;
}

export function inspectVerdict(report: HerdReport, id: string): Verdict {
  const n = report.members.length;
  if (report.strays.length === 0) {
    return {
      nextCheckpoint: 'ok',
      summary: `all ${n} process(es) are in the init's cgroup: the next checkpoint would succeed`,
    };
  }
  return {
    nextCheckpoint: 'fail',
    summary:
      `${report.strays.length} of ${n} process(es) are outside the init's cgroup: the next checkpoint ` +
      `would fail (CRIU: "Unseizable non-zombie") unless they are herded first; run \`cgherd repair ${id}\``,
  };
}

export function repairLines(report: HerdReport): string[] {
  const lines: string[] = [];
  const verb = report.dryRun ? 'would move' : 'moved';
  const byPid = new Map<number, { comm: string; from: Set<string>; hierarchies: string[] }>();
  const comm = new Map(report.members.map((m) => [m.pid, m.comm]));
  for (const mv of report.moved) {
    const e = byPid.get(mv.pid) ?? {
      comm: comm.get(mv.pid) ?? '?',
      from: new Set<string>(),
      hierarchies: [],
    };
    e.from.add(mv.from ?? '(elsewhere)');
    e.hierarchies.push(mv.hierarchy);
    byPid.set(mv.pid, e);
  }
  if (byPid.size === 0) lines.push(report.dryRun ? 'nothing would move' : 'nothing to move');
  for (const [pid, e] of byPid) {
    const where =
      e.hierarchies.length === report.target.length ? 'every hierarchy' : e.hierarchies.join(' ');
    lines.push(`${verb} pid ${pid} (${e.comm}) from ${[...e.from].join(', ')} (${where})`);
  }
  for (const f of report.failures)
    lines.push(
      `could not move pid ${f.pid} in ${f.hierarchy} (${f.path}): ${f.code}: ${f.message}`,
    );
  for (const s of report.skipped)
    if (s.reason !== 'zombie') lines.push(`skipped pid ${s.pid}: ${s.reason}`);
  return lines.map(printable);
}

export function repairSummary(report: HerdReport): string {
  const n = report.members.length;
  if (report.dryRun) {
    return report.moved.length === 0
      ? `all ${n} process(es) are in the init's cgroup; nothing to repair`
      : `${report.strays.length} of ${n} process(es) would be moved into the init's cgroup (dry run: nothing changed)`;
  }
  if (report.strays.length === 0) {
    return `all ${n} process(es) are in the init's cgroup: the next checkpoint can proceed`;
  }
  return `${report.strays.length} of ${n} process(es) are still outside the init's cgroup: the next checkpoint would fail`;
}

const PERMISSION_CODES = new Set(['EACCES', 'EPERM', 'EROFS']);

export function repairExit(report: HerdReport): ExitCode {
  if (report.dryRun) return report.strays.length === 0 ? EXIT.OK : EXIT.PROBLEM;
  if (report.strays.length === 0 && report.failures.length === 0) return EXIT.OK;
  if (report.failures.length > 0 && report.failures.every((f) => PERMISSION_CODES.has(f.code)))
    return EXIT.PERMISSION;
  return EXIT.PROBLEM;
}
