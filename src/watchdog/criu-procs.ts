// The CRIU processes below one process (cgherd's own pid: the lower runtime is its child,
// and CRIU the runtime's: crun starts `criu swrk` through libcriu). Found by name in a
// /proc scan; only descendants, so no other CRIU on the host is ever touched.

import { readFileSync, readdirSync } from 'node:fs';

export interface ProcEntry {
  pid: number;
  ppid: number;
  comm: string;
}

/** Pure: `/proc/<pid>/stat` → pid, ppid, comm (comm may hold spaces and parentheses). */
export function parseStat(text: string): ProcEntry | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const pid = Number(text.slice(0, open).trim());
  const ppid = Number(text.slice(close + 2).split(' ')[1]);
  if (!Number.isInteger(pid) || !Number.isInteger(ppid)) return undefined;
  return { pid, ppid, comm: text.slice(open + 1, close) };
}

/** Pure: the descendants of `root` whose comm is `name`, parents first. */
export function descendantsNamed(
  table: readonly ProcEntry[],
  root: number,
  name: string,
): number[] {
  const children = new Map<number, ProcEntry[]>();
  for (const e of table) {
    const list = children.get(e.ppid) ?? [];
    list.push(e);
    children.set(e.ppid, list);
  }
  const out: number[] = [];
  const queue = [root];
  const seen = new Set(queue);
  while (queue.length > 0) {
    const pid = queue.shift() as number;
    for (const child of children.get(pid) ?? []) {
      if (seen.has(child.pid)) continue;
      seen.add(child.pid);
      if (child.comm === name) out.push(child.pid);
      queue.push(child.pid);
    }
  }
  return out;
}

export function procTable(): ProcEntry[] {
  const out: ProcEntry[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const entry = parseStat(readFileSync(`/proc/${name}/stat`, 'utf8'));
      if (entry) out.push(entry);
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

/** SIGKILLs every `criu` below `root`; returns the pids signalled. */
export function killCriuBelow(root: number): number[] {
  const killed: number[] = [];
  for (const pid of descendantsNamed(procTable(), root, 'criu')) {
    try {
      process.kill(pid, 'SIGKILL');
      killed.push(pid);
    } catch {
      // exited meanwhile
    }
  }
  return killed;
}
