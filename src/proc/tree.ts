// Descendant trees as pure functions over a ppid map (pid -> ppid).

/** Children lists from a ppid map (pid -> ppid). */
export function childrenFromPpids(ppids: ReadonlyMap<number, number>): Map<number, number[]> {
  const children = new Map<number, number[]>();
  for (const [pid, ppid] of ppids) {
    const list = children.get(ppid);
    if (list) list.push(pid);
    else children.set(ppid, [pid]);
  }
  return children;
}

/** What a ppid scan read of one process: its parent and its start time, read together. */
export interface ProcIdentity {
  ppid: number;
  startTime: number;
}

/**
 * Processes whose parent chain (per the ppids read) reaches one of `members` but that are
 * not members themselves: what the children files missed. Members are pid -> start time,
 * and an edge from a parent to a child counts only when the child is not older than the
 * parent (an older child's parent was another process with that pid). Each missed pid comes with the
 * parent it hangs from and that parent's start time, which the caller must still find on
 * that pid after reading the children (else the pid was reused in between).
 */
export function missedWithParents(
  members: ReadonlyMap<number, number>,
  procs: ReadonlyMap<number, ProcIdentity>,
): { pid: number; startTime: number; parent: number; parentStart: number }[] {
  const ppids = new Map<number, number>();
  for (const [pid, p] of procs) if (!members.has(pid)) ppids.set(pid, p.ppid);
  const children = childrenFromPpids(ppids);
  const missed: { pid: number; startTime: number; parent: number; parentStart: number }[] = [];
  const queue = [...members.keys()];
  const seen = new Set(members.keys());
  while (queue.length > 0) {
    const parent = queue.pop() as number;
    const parentStart = members.get(parent) ?? (procs.get(parent) as ProcIdentity).startTime;
    for (const child of children.get(parent) ?? []) {
      const startTime = (procs.get(child) as ProcIdentity).startTime;
      if (seen.has(child) || startTime < parentStart) continue;
      seen.add(child);
      missed.push({ pid: child, startTime, parent, parentStart });
      queue.push(child);
    }
  }
  return missed;
}
