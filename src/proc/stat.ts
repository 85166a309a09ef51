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

/**
 * The space-separated fields after the command name: `wanted` (ascending indexes into them,
 * field 3 being index 0), without splitting the whole line. The herd parses a stat per
 * process; fifty substrings each would be most of its garbage.
 */
function fieldsAfterComm(text: string, from: number, wanted: readonly number[]): string[] {
  const found: string[] = [];
  let index = 0;
  let start = from;
  for (const want of wanted) {
    while (index < want) {
      const space = text.indexOf(' ', start);
      if (space < 0) return found;
      start = space + 1;
      index++;
    }
    let end = text.indexOf(' ', start);
    if (end < 0) end = text.length;
    found.push(text.slice(start, end).trim());
  }
  return found;
}

const STATE = 0;
const PPID = 1;
const NUM_THREADS = 17;
const START_TIME = 19;

export function parseStat(text: string): ProcStat | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const pid = Number(text.slice(0, open).trim());
  const comm = text.slice(open + 1, close);
  const [state, ppidText, threadsText, startText] = fieldsAfterComm(text, close + 2, [
    STATE,
    PPID,
    NUM_THREADS,
    START_TIME,
  ]);
  const ppid = Number(ppidText);
  const numThreads = Number(threadsText);
  const startTime = startText === undefined || startText === '' ? NaN : Number(startText);
  if (!Number.isInteger(pid) || !state || ppidText === undefined || !Number.isInteger(ppid)) {
    return undefined;
  }
  if (!Number.isFinite(startTime)) return undefined;
  return {
    pid,
    comm,
    state,
    ppid,
    numThreads: Number.isInteger(numThreads) && threadsText !== '' ? numThreads : 1,
    startTime,
  };
}

/**
 * Zombies and dead tasks have no cgroup to fix and cannot be moved. Not a process whose
 * main thread alone has exited (pthread_exit in main): the kernel shows its leader as Z
 * while the other threads run, fork and sit in a cgroup like any process. Gone means Z or
 * X with a single thread left.
 */
export function isGone(stat: ProcStat): boolean {
  const dead = stat.state === 'Z' || stat.state === 'X' || stat.state === 'x';
  return dead && stat.numThreads <= 1;
}
