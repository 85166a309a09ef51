// Runs every compiled test file in its own process (a crash or a hang in one file cannot
// take the others with it), echoes its output, and closes with one
// `N passed, N failed, N skipped` line summed over all files.
//
//   node dist/test/run.js [unit|integration|e2e ...] [--filter SUBSTRING] [--skip SUBSTRING]
//                         [--include-tally LOG [--expect-files LIST]] [--list] [--jobs N]
//
// Each file closes with `-- FILE: S s` (its wall time); before the closing line come the
// ten slowest files of the run and one line naming the CRIU breakpoint mode the run had
// (delivered, or missing and bridged by CRIU_FAULT=130; test/env/breakpoints.sh).
//
// --jobs N runs up to N files at a time (default 1: one after another, output as it
// comes). The files that must not share the host, or share one lane (Podman, containerd),
// are listed with their reasons in test/lib/runner/lanes.ts. With N > 1 each file's
// output is held and printed whole, `== FILE` to `-- FILE: S s`, when the file ends.
//
// --include-tally adds the closing line of another run's log (e.g. the Node 18 run inside
// the Debian 12 root) to this one's, so that `make test` closes with one line for both; a
// log without such a line counts as one failure. --expect-files names a file that lists the
// test files that run was meant to run (made by --list with the same selection): each one
// the log never started counts as one failure, so a group whose root never started, or
// that ran nothing, cannot vanish from the total. --list prints the selected files and
// runs nothing.... [--skip SUBSTRING]...
// A file runs when its path contains any --filter (or none is given) and no --skip.
//
// The run has a session directory (CGHERD_TEST_SESSION in every file's environment): a
// test library may keep something up there for the rest of the run (ctd-session.ts: one
// containerd per cgroup mode, not one per test) and leave in its teardown/ a JSON argv that
// ends it. After the last file the runner runs each teardown; one that fails counts as a
// failure, since the host must be left as it was found.

import { spawn } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cgroupVersions } from './lib/bed/bed.js';
import { breakpointModeLine } from './lib/bed/breakpoints.js';
import { nextToStart } from './lib/runner/lanes.js';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const GROUPS = ['unit', 'integration', 'e2e'] as const;
const FILE_TIMEOUT_MS = Number(process.env.CGHERD_TEST_FILE_TIMEOUT ?? 900) * 1000;

interface Tally {
  passed: number;
  failed: number;
  skipped: number;
}

function listTests(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir).sort();
  } catch {
    return [];
  }
  const files: string[] = [];
  for (const name of entries) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) files.push(...listTests(path));
    else if (name.endsWith('.test.js')) files.push(path);
  }
  return files;
}

function count(output: string, label: string): number | undefined {
  const matches = [...output.matchAll(new RegExp(`^\\s*${label}:\\s+(\\d+)`, 'gm'))];
  const last = matches.at(-1);
  return last ? Number(last[1]) : undefined;
}

/** Runs one file; `echo` gets its output as it comes (the runner's stdout, or a buffer
 *  when files run side by side). */
function runFile(file: string, session: string, echo: (text: string) => void): Promise<Tally> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [file], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, FORCE_COLOR: '0', CGHERD_TEST_SESSION: session },
    });
    let output = '';
    const keep = (text: string): void => {
      output += text;
      echo(text);
    };
    // Decoded per stream, so that a character split between two chunks stays whole.
    child.stdout.setEncoding('utf8').on('data', keep);
    child.stderr.setEncoding('utf8').on('data', keep);
    const timer = setTimeout(() => {
      echo(`\n!! ${file}: timed out after ${FILE_TIMEOUT_MS / 1000}s\n`);
      child.kill('SIGKILL');
    }, FILE_TIMEOUT_MS);
    child.on('close', (code) => {
      clearTimeout(timer);
      const total = count(output, 'Total');
      const passed = count(output, 'Passed');
      const skipped = count(output, 'Skipped') ?? 0;
      if (total === undefined || passed === undefined) {
        // The file died before uvu could report: count it as one failure, never as zero.
        resolve({ passed: 0, failed: 1, skipped });
        return;
      }
      const failed = Math.max(total - passed, code === 0 ? 0 : 1);
      resolve({ passed, failed, skipped });
    });
  });
}

function openSession(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cgt-session-'));
  mkdirSync(join(dir, 'teardown'));
  writeFileSync(join(dir, 'runner.pid'), String(process.pid));
  return dir;
}

/** Runs the session's teardowns (name order), then removes it. Returns the ones that failed. */
async function closeSession(dir: string): Promise<string[]> {
  const failed: string[] = [];
  for (const name of readdirSync(join(dir, 'teardown')).sort()) {
    const argv = JSON.parse(readFileSync(join(dir, 'teardown', name), 'utf8')) as string[];
    const [cmd, ...args] = argv;
    const started = performance.now();
    const { code, output } = await new Promise<{ code: number | null; output: string }>(
      (resolve) => {
        const child = spawn(cmd as string, args, { stdio: ['ignore', 'pipe', 'pipe'] });
        let output = '';
        child.stdout.on('data', (c: Buffer) => (output += c.toString()));
        child.stderr.on('data', (c: Buffer) => (output += c.toString()));
        child.on('error', (e) => resolve({ code: null, output: e.message }));
        child.on('close', (c) => resolve({ code: c, output }));
      },
    );
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    process.stdout.write(`-- session teardown ${name}: ${seconds} s\n`);
    if (code !== 0) {
      process.stdout.write(`\n!! session teardown ${name} failed (${String(code)}):\n${output}\n`);
      failed.push(`teardown ${name}`);
    }
  }
  rmSync(dir, { recursive: true, force: true });
  return failed;
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    process.stdout.write(`\n!! ${path}: cannot read it\n`);
    return '';
  }
}

/** The last `N passed, N failed[, N skipped]` line of a log; none, or no log: one failure.
 *  With `expected`, each listed file the log never started is one more failure. Pure: what
 *  went wrong is returned in `notes`, for the caller to print. */
export function closingTally(
  text: string,
  name: string,
  expected?: readonly string[],
): Tally & { notes: string[] } {
  const notes: string[] = [];
  const last = [
    ...text.matchAll(/^(?:\[\w+\] )?(\d+) passed, (\d+) failed(?:, (\d+) skipped)?$/gm),
  ].at(-1);
  const tally: Tally =
    last === undefined
      ? { passed: 0, failed: 1, skipped: 0 }
      : { passed: Number(last[1]), failed: Number(last[2]), skipped: Number(last[3] ?? 0) };
  if (last === undefined) notes.push(`${name}: no closing "N passed, N failed" line`);
  if (expected !== undefined) {
    const started = new Set([...text.matchAll(/^(?:\[\w+\] )?== (\S+)$/gm)].map((m) => m[1]));
    const missing = expected.filter((f) => !started.has(f));
    if (missing.length > 0) {
      notes.push(
        `${name}: ${missing.length} of ${expected.length} listed files never ran: ${missing.join(', ')}`,
      );
      // The missing-log failure above is one of these.
      tally.failed += missing.length - (last === undefined ? 1 : 0);
    }
    if (expected.length === 0) {
      notes.push(`${name}: its list of files is empty`);
      tally.failed += 1;
    }
  }
  return { ...tally, notes };
}

/** Does a compiled test file run anything under cgroup v1 (a 'v1' or the modes' list)?
 *  Pure. */
export function usesV1(compiled: string): boolean {
  return /['"]v1['"]|\bMODES\b/.test(compiled);
}

export interface FileTime {
  file: string;
  seconds: number;
}

/** The `n` slowest files, slowest first, one `  S s  FILE` line each. Pure. */
export function slowestLines(times: readonly FileTime[], n: number): string[] {
  return [...times]
    .sort((a, b) => b.seconds - a.seconds)
    .slice(0, n)
    .map(({ file, seconds }) => `${seconds.toFixed(1).padStart(7)} s  ${file}`);
}

/** Runs the files, up to `jobs` at a time as test/lib/runner/lanes.ts allows. One at a
 *  time, each file's output goes out as it comes; side by side, each file's is held and
 *  written whole when it ends, so that no two files' lines mix. */
async function runAll(
  names: readonly string[],
  jobs: number,
  runOne: (name: string, echo: (text: string) => void) => Promise<void>,
): Promise<void> {
  const pending = [...names];
  const running: string[] = [];
  await new Promise<void>((resolve) => {
    const fill = (): void => {
      for (;;) {
        const index = nextToStart(pending, running, jobs);
        if (index === undefined) break;
        const [name] = pending.splice(index, 1) as [string];
        running.push(name);
        let held = '';
        const echo =
          jobs === 1
            ? (text: string) => process.stdout.write(text)
            : (text: string) => (held += text);
        void runOne(name, echo).then(() => {
          process.stdout.write(held);
          running.splice(running.indexOf(name), 1);
          fill();
        });
      }
      if (pending.length === 0 && running.length === 0) resolve();
    };
    fill();
  });
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const filters: string[] = [];
  const skips: string[] = [];
  const groups: string[] = [];
  const included: { log: string; expect?: string }[] = [];
  let listOnly = false;
  let jobs = 1;
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a === '--list') listOnly = true;
    else if (a === '--jobs') {
      jobs = Number(args[++i]);
      if (!Number.isInteger(jobs) || jobs < 1) throw new Error(`${a} needs a whole number >= 1`);
    } else if (a === '--include-tally') {
      const value = args[++i];
      if (value === undefined) throw new Error(`${a} needs a value`);
      included.push({ log: value });
    } else if (a === '--expect-files') {
      const value = args[++i];
      const last = included.at(-1);
      if (value === undefined || last === undefined) {
        throw new Error(`${a} needs a value, after --include-tally`);
      }
      last.expect = value;
    } else if (a === '--filter' || a === '--skip') {
      const value = args[++i];
      if (value === undefined) throw new Error(`${a} needs a value`);
      (a === '--filter' ? filters : skips).push(value);
    } else if (!a.startsWith('--')) groups.push(a);
  }
  const chosen = groups.length > 0 ? groups : [...GROUPS];
  const sum: Tally = { passed: 0, failed: 0, skipped: 0 };
  const failedFiles: string[] = [];
  const selected = chosen.flatMap((group) =>
    listTests(join(HERE, group)).filter(
      (file) =>
        (filters.length === 0 || filters.some((f) => file.includes(f))) &&
        !skips.some((s) => file.includes(s)),
    ),
  );
  if (listOnly) {
    for (const file of selected) process.stdout.write(`${relative(HERE, file)}\n`);
    return;
  }
  const times: FileTime[] = [];
  const runStarted = performance.now();
  const session = openSession();
  // On a host without cgroup v1 (unified only) the files that run under v1 cannot run
  // there: they are skipped, visibly, and counted as skipped.
  // Each is still named (`== FILE`), so that an --expect-files list finds it.
  const v1Skipped = cgroupVersions(readText('/proc/self/mountinfo')).v1
    ? []
    : selected.filter((f) => !f.includes(`${HERE}unit/`) && usesV1(readText(f)));
  if (v1Skipped.length > 0) {
    sum.skipped += v1Skipped.length;
    process.stdout.write(`\nv1 group skipped: host has no cgroup v1 (${v1Skipped.length} files)\n`);
  }
  const runOne = async (name: string, echo: (text: string) => void): Promise<void> => {
    const file = join(HERE, name);
    echo(`\n== ${name}\n`);
    if (v1Skipped.includes(file)) {
      echo(`-- ${name}: skipped, the host has no cgroup v1\n`);
      return;
    }
    const started = performance.now();
    const tally = await runFile(file, session, echo).catch((error: unknown) => {
      echo(`\n!! ${name}: ${String(error)}\n`);
      return { passed: 0, failed: 1, skipped: 0 };
    });
    const seconds = (performance.now() - started) / 1000;
    times.push({ file: name, seconds });
    echo(`-- ${name}: ${seconds.toFixed(1)} s\n`);
    sum.passed += tally.passed;
    sum.failed += tally.failed;
    sum.skipped += tally.skipped;
    if (tally.failed > 0) failedFiles.push(name);
  };
  await runAll(
    selected.map((f) => relative(HERE, f)),
    jobs,
    runOne,
  );
  for (const what of await closeSession(session)) {
    sum.failed += 1;
    failedFiles.push(what);
  }
  for (const { log, expect } of included) {
    const expected =
      expect === undefined ? undefined : readText(expect).split('\n').filter(Boolean);
    const tally = closingTally(readText(log), log, expected);
    for (const note of tally.notes) process.stdout.write(`\n!! ${note}\n`);
    sum.passed += tally.passed;
    sum.failed += tally.failed;
    sum.skipped += tally.skipped;
    if (tally.failed > 0) failedFiles.push(log);
  }
  if (times.length > 0) {
    const total = times.reduce((t, f) => t + f.seconds, 0);
    // Side by side, the files' times add up to more than the run took: both are given.
    const wall =
      jobs > 1
        ? ` (${((performance.now() - runStarted) / 1000).toFixed(0)} s of wall time, up to ${jobs} at a time)`
        : '';
    process.stdout.write(`\n${times.length} files in ${total.toFixed(0)} s${wall}; the slowest:\n`);
    process.stdout.write(`${slowestLines(times, 10).join('\n')}\n`);
  }
  if (failedFiles.length > 0) process.stdout.write(`\nfailed in: ${failedFiles.join(', ')}\n`);
  // Which CRIU path the integration and e2e files took: a run on a machine without
  // hardware breakpoints (CRIU_FAULT=130 through the test bed's wrapper) says so.
  process.stdout.write(`\n${breakpointModeLine()}\n`);
  const skipped = sum.skipped > 0 ? `, ${sum.skipped} skipped` : '';
  process.stdout.write(`\n${sum.passed} passed, ${sum.failed} failed${skipped}\n`);
  process.exitCode = sum.failed > 0 || sum.passed === 0 ? 1 : 0;
}

// Imported by its unit test; run as a program otherwise.
if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1])
  await main();
