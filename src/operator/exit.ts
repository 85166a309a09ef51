// Exit codes of the operator commands. They are part of the interface: scripts and
// monitoring read them, the man page and every command's --help list them.

export const EXIT = {
  /** Everything checked is fine (or the action succeeded). */
  OK: 0,
  /** The command ran, and what it found means a checkpoint would fail. */
  PROBLEM: 1,
  /** Bad usage: unknown flag, missing argument (oclif's own parse errors use 2 too). */
  USAGE: 2,
  /** The container id is unknown to the lower runtime. */
  NOT_FOUND: 3,
  /** The container exists but is not running. */
  NOT_RUNNING: 4,
  /** Permission denied: a cgroup, a config file or directory cannot be read or written. */
  PERMISSION: 5,
  /** A configuration file (cgherd's or Podman's) is broken or unreadable. */
  CONFIG: 6,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** One line per code, for --help and the man page. */
export const EXIT_HELP: Readonly<Record<ExitCode, string>> = {
  0: 'success (doctor: nothing stands in the way of a checkpoint)',
  1: 'a problem was found: the next checkpoint would fail (or strays remain)',
  2: 'usage error',
  3: 'unknown container id',
  4: 'container not running',
  5: 'permission denied (cgroup, configuration file or directory)',
  6: 'broken or unreadable configuration',
};

/** An error that carries its exit code up to the command, which prints it once. */
export class OperatorError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
  ) {
    super(message);
    this.name = 'OperatorError';
  }
}

/** Maps an errno-style code from Node to the operator exit code. */
export function exitForErrno(code: string | undefined): ExitCode {
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') return EXIT.PERMISSION;
  return EXIT.CONFIG;
}

export function exitCodesHelp(codes: readonly ExitCode[]): string {
  return codes.map((c) => `  ${c}  ${EXIT_HELP[c]}`).join('\n');
}
