// The only door to the machine that the herd uses: /proc reads, cgroup writes, rmdir.
// Everything above it is logic that unit tests drive with a fake host.

export interface IoFailure {
  /** errno name: ESRCH, EBUSY, EACCES, ... */
  code: string;
  message: string;
}

/**
 * One process, held open (its /proc/<pid>/stat). The kernel binds an open /proc/<pid> file
 * to the process, not to the number: once that process is gone, a read fails (ESRCH) even
 * if its pid now names another process. Node 18 has no pidfd_open; this is the same
 * guarantee for what the herd needs.
 */
export interface ProcHandle {
  /** The process's stat text now; undefined once it is gone (even if the pid was reused). */
  stat(): string | undefined;
  close(): void;
}

export interface HostIO {
  /** cgherd's own pid: the caller is never moved. */
  readonly selfPid: number;
  /** A small file's text, or undefined when it does not exist (or the process is gone). */
  readText(path: string): string | undefined;
  /** A handle on the process that owns pid now; undefined when there is none. */
  openProcess(pid: number): ProcHandle | undefined;
  /** Entry names, or undefined when the directory does not exist. */
  listDir(path: string): string[] | undefined;
  /** Names of the subdirectories (child cgroups, in a cgroup directory). */
  subdirs(path: string): string[] | undefined;
  realpath(path: string): string | undefined;
  /** statfs f_type of the filesystem holding path, or undefined. */
  fsType(path: string): number | undefined;
  /** One pid written to a cgroup.procs file. undefined on success. */
  writePid(procsFile: string, pid: number): IoFailure | undefined;
  rmdir(path: string): IoFailure | undefined;
  exists(path: string): boolean;
  now(): number;
  /** Releases anything cached (open descriptors). */
  close(): void;
}

export const CGROUP_SUPER_MAGIC = 0x27e0eb;
export const CGROUP2_SUPER_MAGIC = 0x63677270;
