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

/**
 * Processes whose parent chain (per the ppid map) reaches one of `members` but that are not
 * members themselves: what the children files missed.
 */
export function missedDescendants(
  members: ReadonlySet<number>,
  ppids: ReadonlyMap<number, number>,
): number[] {
  const children = childrenFromPpids(ppids);
  const missed: number[] = [];
  const queue = [...members];
  const seen = new Set(members);
  while (queue.length > 0) {
    const pid = queue.pop() as number;
    for (const child of children.get(pid) ?? []) {
      if (seen.has(child)) continue;
      seen.add(child);
      missed.push(child);
      queue.push(child);
    }
  }
  return missed;
}
