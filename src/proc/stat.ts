// /proc/<pid>/stat, parsed. The command name sits in parentheses and may itself contain
// spaces and ')', so fields are counted from the last ')'.

export interface ProcStat {
  pid: number;
  comm: string;
  /** R, S, D, Z, T, t, X, I ... */
  state: string;
  ppid: number;
  numThreads: number;
  /** Field 22, clock ticks since boot: with the pid, the process's identity. */
  startTime: number;
}

export function parseStat(text: string): ProcStat | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const pid = Number(text.slice(0, open).trim());
  const comm = text.slice(open + 1, close);
  // rest[0] is field 3 (state); field N is rest[N - 3].
  const rest = text
    .slice(close + 2)
    .trim()
    .split(' ');
  const state = rest[0];
  const ppid = Number(rest[1]);
  const numThreads = Number(rest[17]);
  const startTime = Number(rest[19]);
  if (!Number.isInteger(pid) || state === undefined || !Number.isInteger(ppid)) return undefined;
  if (!Number.isFinite(startTime)) return undefined;
  return {
    pid,
    comm,
    state,
    ppid,
    numThreads: Number.isInteger(numThreads) ? numThreads : 1,
    startTime,
  };
}

/** Zombies and dead tasks have no cgroup to fix and cannot be moved. */
export function isGone(stat: ProcStat): boolean {
  return stat.state === 'Z' || stat.state === 'X' || stat.state === 'x';
}
