// The breakpoint probe: dump a throwaway process with the host's CRIU under a short
// timeout. A dump that passes means the host delivers hardware breakpoints (or this CRIU
// does not need them). One that hangs is tried again with CRIU_FAULT=130; if that passes,
// breakpoints are missing. A dump that fails outright says nothing about breakpoints.
// On this kind of machine a good dump of a `sleep` takes 0.05–0.1 s.
//
// The throwaway is a `sleep` in its own session (so CRIU needs no --shell-job) with
// /dev/null as stdio. CRIU runs with --no-default-config and a fixed environment: a
// host's or a caller's CRIU configuration (an action script, say) must not decide the
// verdict. Both processes are killed and the images removed whatever happens.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { CRIU_FAULT, NO_BREAKPOINTS_FAULT, type BreakpointVerdict } from './breakpoint-verdict.js';

export interface ProbeOutcome {
  verdict: BreakpointVerdict;
  detail: string;
  ms: number;
}

type DumpResult = { passed: number } | { failed: string } | { hung: true };

const SLEEP_BINARIES = ['/bin/sleep', '/usr/bin/sleep'];
const CRIU_PATH_ENV = '/usr/sbin:/usr/bin:/sbin:/bin';

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** The last error CRIU logged, for a failed dump's detail. */
function lastError(log: string): string | undefined {
  try {
    const lines = readFileSync(log, 'utf8').split('\n');
    return lines
      .filter((l) => l.includes('Error'))
      .at(-1)
      ?.trim();
  } catch {
    return undefined;
  }
}

async function dumpOnce(
  criu: string,
  images: string,
  extraEnv: Record<string, string>,
  timeoutMs: number,
): Promise<DumpResult> {
  const sleepBin = SLEEP_BINARIES.find((p) => existsSync(p));
  if (sleepBin === undefined) return { failed: 'no sleep binary to dump' };
  mkdirSync(images, { mode: 0o700 });
  const sleeper = spawn(sleepBin, ['100000'], { detached: true, stdio: 'ignore' });
  const started = Date.now();
  let dumper: ChildProcess | undefined;
  try {
    if (sleeper.pid === undefined) return { failed: `cannot start ${sleepBin}` };
    const args = ['dump', '--no-default-config', '-t', String(sleeper.pid)];
    dumper = spawn(criu, [...args, '-D', images, '-o', 'dump.log', '-v4'], {
      detached: true, // its own process group: a timeout kills CRIU and any helper it forked
      stdio: 'ignore',
      env: { PATH: CRIU_PATH_ENV, ...extraEnv },
    });
    const child = dumper;
    let hung = false;
    const timer = setTimeout(() => {
      hung = true;
      killGroup(child);
    }, timeoutMs);
    const code = await new Promise<number | string>((resolve) => {
      child.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
      child.once('exit', (c, signal) => resolve(c ?? signal ?? 'killed'));
    });
    clearTimeout(timer);
    if (hung) return { hung: true };
    if (code === 0) return { passed: Date.now() - started };
    const why = lastError(join(images, 'dump.log'));
    return { failed: `criu dump exited ${code}${why ? `: ${why}` : ''}` };
  } finally {
    if (dumper) {
      killGroup(dumper);
      await exited(dumper);
    }
    sleeper.kill('SIGKILL');
    await exited(sleeper);
  }
}

function killGroup(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    child.kill('SIGKILL');
  }
}

/** Runs the probe in a temporary directory below `workDir` (created if missing). */
export async function probeBreakpoints(
  criu: string,
  opts: { timeoutMs: number; workDir: string },
): Promise<ProbeOutcome> {
  const started = Date.now();
  mkdirSync(opts.workDir, { recursive: true, mode: 0o755 });
  const dir = mkdtempSync(join(opts.workDir, '.breakpoint-probe-'));
  const done = (verdict: BreakpointVerdict, detail: string): ProbeOutcome => ({
    verdict,
    detail,
    ms: Date.now() - started,
  });
  const seconds = `${opts.timeoutMs / 1000} s`;
  try {
    const plain = await dumpOnce(criu, join(dir, 'plain'), {}, opts.timeoutMs);
    if ('passed' in plain) return done('delivered', `a probe dump passed in ${plain.passed} ms`);
    if ('failed' in plain) return done('dump-fails', plain.failed);
    const fault = { [CRIU_FAULT]: NO_BREAKPOINTS_FAULT };
    const retry = await dumpOnce(criu, join(dir, 'fault'), fault, opts.timeoutMs);
    if ('passed' in retry) {
      return done(
        'missing',
        `a probe dump hung for ${seconds}; with CRIU_FAULT=130 it passed in ${retry.passed} ms`,
      );
    }
    if ('failed' in retry) {
      return done(
        'dump-fails',
        `a probe dump hung for ${seconds}; with CRIU_FAULT=130 ${retry.failed}`,
      );
    }
    return done('dump-fails', `a probe dump hung for ${seconds}, with CRIU_FAULT=130 too`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
