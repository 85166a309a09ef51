// Reads of /proc through a HostIO: one process's stat, cgroups and children.

import type { HostIO } from './host.js';
import { parseProcCgroup, type ProcCgroupLine } from './cgroup-file.js';
import { cgroupMounts, parseMountinfo, type CgroupMount } from './mountinfo.js';
import { parseStat, type ProcStat } from './stat.js';

export function readStat(io: HostIO, pid: number): ProcStat | undefined {
  const text = io.readText(`/proc/${pid}/stat`);
  return text === undefined ? undefined : parseStat(text);
}

export function readCgroups(io: HostIO, pid: number | 'self'): ProcCgroupLine[] | undefined {
  const text = io.readText(`/proc/${pid}/cgroup`);
  return text === undefined ? undefined : parseProcCgroup(text);
}

/** The cgroups of a live thread of pid other than its main thread (for a zombie leader,
 *  see isZombieLeader); undefined when no other thread can be read. */
export function readLiveThreadCgroups(io: HostIO, pid: number): ProcCgroupLine[] | undefined {
  for (const tid of io.listDir(`/proc/${pid}/task`) ?? []) {
    if (tid === String(pid)) continue;
    const text = io.readText(`/proc/${pid}/task/${tid}/cgroup`);
    if (text !== undefined) return parseProcCgroup(text);
  }
  return undefined;
}

/** The cgroup mounts of cgherd's mount namespace; undefined when mountinfo cannot be read. */
export function readCgroupMounts(io: HostIO): CgroupMount[] | undefined {
  const text = io.readText('/proc/self/mountinfo');
  return text === undefined ? undefined : cgroupMounts(parseMountinfo(text));
}

/**
 * The pids of a cgroup.procs or children file: decimal words separated by whitespace. A
 * word with anything but digits is skipped. Digits are summed in place rather than split
 * out: a listing of a thousand pids is read several times per herd.
 */
export function parsePidList(text: string): number[] {
  const pids: number[] = [];
  let value = 0;
  let digits = 0;
  let bad = false;
  for (let i = 0; i <= text.length; i++) {
    const code = i < text.length ? text.charCodeAt(i) : 32;
    if (code >= 48 && code <= 57) {
      value = value * 10 + (code - 48);
      digits++;
    } else if (code === 32 || code === 10 || code === 9 || code === 13) {
      if (digits > 0 && !bad && value > 0 && digits < 16) pids.push(value);
      value = 0;
      digits = 0;
      bad = false;
    } else {
      bad = true;
    }
  }
  return pids;
}

/**
 * The children of every thread of pid. A single-threaded process (the common case) needs
 * one read; the task directory is listed only when there are several threads.
 */
export function readChildren(io: HostIO, pid: number, numThreads: number): number[] {
  const tids =
    numThreads <= 1
      ? [String(pid)]
      : (io.listDir(`/proc/${pid}/task`) ?? []).filter((name) => /^\d+$/.test(name));
  const children: number[] = [];
  for (const tid of tids) {
    const text = io.readText(`/proc/${pid}/task/${tid}/children`);
    if (text !== undefined) children.push(...parsePidList(text));
  }
  return children;
}

export function listPids(io: HostIO): number[] {
  return (io.listDir('/proc') ?? []).filter((name) => /^\d+$/.test(name)).map(Number);
}

/** pid and every ancestor up to pid 1: the processes a herd must never move. */
export function selfAndAncestors(io: HostIO, pid: number): Set<number> {
  const chain = new Set<number>();
  let current = pid;
  while (current > 0 && !chain.has(current)) {
    chain.add(current);
    const stat = readStat(io, current);
    if (!stat) break;
    current = stat.ppid;
  }
  return chain;
}

/**
 * Whether pid is still the process that started at startTime. Read after whatever was
 * read about its children, it proves the pid was not reused before those reads.
 */
export function stillStartedAt(io: HostIO, pid: number, startTime: number): boolean {
  return readStat(io, pid)?.startTime === startTime;
}
