// A container's process tree as the host sees it, and where each member sits in the cgroup
// hierarchies of a mode. Read from /proc by a ppid scan (the children files are only
// reliable for stopped tasks); independent of cgherd's own code, which it checks.

import { readdirSync, readFileSync } from 'node:fs';
import type { CgroupMode } from '../bed/bed.js';
import { differingHierarchies, readCgroups } from '../cgroups/cgroups.js';

export interface ProcInfo {
  pid: number;
  ppid: number;
  comm: string;
}

/** Parses /proc/PID/stat; the comm may hold spaces and parentheses. */
export function parseStat(text: string): ProcInfo | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const rest = text.slice(close + 2).split(' ');
  const pid = Number(text.slice(0, open).trim());
  const ppid = Number(rest[1]);
  if (!Number.isInteger(pid) || !Number.isInteger(ppid)) return undefined;
  return { pid, ppid, comm: text.slice(open + 1, close) };
}

/** `root` and all its descendants, parents before children. */
export function descendantsOf(root: number, procs: readonly ProcInfo[]): ProcInfo[] {
  const children = new Map<number, ProcInfo[]>();
  for (const p of procs) {
    const list = children.get(p.ppid) ?? [];
    list.push(p);
    children.set(p.ppid, list);
  }
  const self = procs.find((p) => p.pid === root);
  if (!self) return [];
  const out: ProcInfo[] = [self];
  for (let i = 0; i < out.length; i++) {
    out.push(...(children.get((out[i] as ProcInfo).pid) ?? []));
  }
  return out;
}

export function allProcs(): ProcInfo[] {
  const out: ProcInfo[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const info = parseStat(readFileSync(`/proc/${name}/stat`, 'utf8'));
      if (info) out.push(info);
    } catch {
      // exited while we looked
    }
  }
  return out;
}

export function processTree(init: number): ProcInfo[] {
  return descendantsOf(init, allProcs());
}

export interface Placement {
  init: number;
  /** The init's cgroup path in each hierarchy of the mode. */
  cgroups: Map<string, string>;
  members: ProcInfo[];
  /** Members whose cgroup differs from the init's, with the hierarchies that differ. */
  strays: { proc: ProcInfo; hierarchies: string[]; cgroups: Map<string, string> }[];
}

export function placementOf(init: number, mode: CgroupMode): Placement {
  const members = processTree(init);
  const cgroups = readCgroups(init, mode) ?? new Map<string, string>();
  const strays: Placement['strays'] = [];
  for (const proc of members) {
    const mine = readCgroups(proc.pid, mode);
    if (!mine) continue;
    const hierarchies = differingHierarchies(cgroups, mine);
    if (hierarchies.length > 0) strays.push({ proc, hierarchies, cgroups: mine });
  }
  return { init, cgroups, members, strays };
}

/** One line per member, for assertion messages. */
export function describePlacement(p: Placement, mode: CgroupMode): string {
  return p.members
    .map((m) => {
      const cg = readCgroups(m.pid, mode);
      const path = cg ? [...new Set(cg.values())].join(',') : '(gone)';
      return `${m.pid} ${m.comm} ppid=${m.ppid} ${path}`;
    })
    .join('\n');
}
