// Running a host tool for what it prints (doctor's probes, install's Podman version): never
// throws, so a missing or broken tool is something to report, not a crash.

import { execaSync } from 'execa';

export interface CommandOutput {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a tool and captures its output; a tool that cannot start is status 127. */
export function runQuiet(file: string, args: readonly string[], timeoutMs = 20_000): CommandOutput {
  const r = execaSync(file, args, {
    reject: false,
    stdin: 'ignore',
    timeout: timeoutMs,
    stripFinalNewline: false,
  });
  if (!r.failed) return { code: 0, stdout: r.stdout ?? '', stderr: '' };
  return {
    code: r.exitCode ?? 127,
    stdout: r.stdout ?? '',
    stderr: (r.stderr ?? '') || r.code || (r.shortMessage ?? ''),
  };
}

/** `podman --version`'s version word, e.g. "4.3.1". */
export function podmanVersionOf(path: string): string | undefined {
  return /version\s+(\S+)/.exec(runQuiet(path, ['--version']).stdout)?.[1];
}
