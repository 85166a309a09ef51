// The init of a container whose lower runtime recorded no start time (a runtime that is
// neither crun nor runc, or a state that names a pid only). The pid alone proves nothing:
// the init may have exited and its number gone to any host process, whose tree the herd
// would then move. What a container's init is and a reused host pid is not: pid 1 of a
// pid namespace below cgherd's (the last NSpid of /proc/<pid>/status is 1). That is read
// between two reads of the start time, which must agree, so the proof and the start time
// (the identity the herd then holds the init to) belong to one process. A container
// without a pid namespace of its own cannot be told from a host process this way: it is
// refused (crun and runc record the start time, so this only refuses other runtimes).

import type { HostIO } from './host.js';
import { readStat } from './procfs.js';
import { isGone } from './stat.js';

/** The NSpid line of /proc/<pid>/status: the pid in each pid namespace, outermost first. */
export function parseNsPids(status: string): number[] | undefined {
  const line = /^NSpid:\s*(.*)$/m.exec(status)?.[1];
  if (line === undefined) return undefined;
  const pids = line.trim().split(/\s+/).map(Number);
  return pids.length > 0 && pids.every((p) => Number.isInteger(p) && p > 0) ? pids : undefined;
}

export type InitProof = { startTime: number } | { refused: string };

export function provePidNamespaceInit(io: HostIO, pid: number): InitProof {
  const before = readStat(io, pid);
  if (!before || isGone(before)) return { refused: `pid ${pid} is not running` };
  const status = io.readText(`/proc/${pid}/status`);
  const after = readStat(io, pid);
  if (!after || after.startTime !== before.startTime) {
    return { refused: `pid ${pid} exited while it was read` };
  }
  const nspids = status === undefined ? undefined : parseNsPids(status);
  if (nspids === undefined) return { refused: `no NSpid in /proc/${pid}/status` };
  if (nspids.length < 2 || nspids[nspids.length - 1] !== 1) {
    return {
      refused:
        `pid ${pid} (${before.comm}) is not pid 1 of a pid namespace of its own ` +
        `(NSpid ${nspids.join(' ')}), and no start time was recorded: nothing proves it is ` +
        "the container's init",
    };
  }
  return { startTime: before.startTime };
}
