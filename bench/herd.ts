// The herd's own cost, in process: containers of 10, 100 and 1,000 processes, first with
// every process but the init out of place (a fresh buggy restore: everything moves), then
// already in place (every checkpoint after that: a walk and a check). And the same herd
// with 2,000 unrelated processes on the host, to show the cost follows the container.
// Times here are ratios too: against the same herd without the unrelated processes.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { herd } from '../src/herd/index.js';
import { median } from './measure.js';

const CGROUP_A = 'cgt-bench-herd-a';
const CGROUP_B = 'cgt-bench-herd-b';

/** Cgroup hierarchies mounted here: the v1 ones, or the single cgroup2 mount. */
function hierarchies(): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter((line) => line.includes(' - cgroup ') || line.includes(' - cgroup2 '))
    .map((line) => line.split(' ')[4] as string);
}

function makeCgroup(mount: string, name: string): string {
  const dir = join(mount, name);
  if (!existsSync(dir)) mkdirSync(dir);
  // A new cpuset has no CPUs and no memory nodes until given its parent's.
  for (const file of ['cpuset.cpus', 'cpuset.mems']) {
    if (existsSync(join(dir, file)))
      writeFileSync(join(dir, file), readFileSync(join(mount, file)));
  }
  return dir;
}

function place(pids: readonly number[], name: string): void {
  for (const mount of hierarchies()) {
    const procs = join(mount, name, 'cgroup.procs');
    for (const pid of pids) {
      try {
        writeFileSync(procs, `${pid}\n`);
      } catch {
        // exited
      }
    }
  }
}

function childrenOf(pid: number): number[] {
  const text = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
  return text === '' ? [] : text.split(' ').map(Number);
}

async function startTree(
  size: number,
  cgroup: string,
): Promise<{ child: ChildProcess; pids: number[] }> {
  // The shell enters the cgroup itself before forking, so its children start there.
  const script = `for m in "$@"; do echo $$ > "$m/${cgroup}/cgroup.procs"; done; i=1; while [ $i -lt ${size} ]; do sleep 100000 & i=$((i+1)); done; echo ready; wait`;
  const child = spawn('/bin/sh', ['-c', script, 'tree', ...hierarchies()], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve) => child.stdout?.once('data', () => resolve()));
  const pids = childrenOf(child.pid as number);
  return { child, pids };
}

async function stopTree(tree: { child: ChildProcess; pids: number[] }): Promise<void> {
  for (const pid of tree.pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
  tree.child.kill('SIGKILL');
  await new Promise((resolve) => tree.child.once('exit', resolve));
}

function timeHerdSamples(init: number, scatter: () => void, rounds: number): number[] {
  const samples: number[] = [];
  for (let i = 0; i < rounds; i++) {
    scatter();
    const start = process.hrtime.bigint();
    const report = herd(init);
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
    if (!report.converged) throw new Error(`herd did not converge: ${report.strays.length} strays`);
  }
  return samples;
}

async function startUnrelated(count: number): Promise<ChildProcess[]> {
  const shells: ChildProcess[] = [];
  for (let i = 0; i < count / 500; i++) {
    shells.push(
      spawn(
        '/bin/sh',
        ['-c', 'i=0; while [ $i -lt 500 ]; do sleep 100000 & i=$((i+1)); done; wait'],
        {
          stdio: 'ignore',
        },
      ),
    );
  }
  await new Promise((resolve) => setTimeout(resolve, 3000));
  return shells;
}

async function stopUnrelated(shells: ChildProcess[]): Promise<void> {
  for (const sh of shells) {
    for (const pid of existsSync(`/proc/${sh.pid}`) ? childrenOf(sh.pid as number) : []) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    sh.kill('SIGKILL');
  }
  await new Promise((resolve) => setTimeout(resolve, 500));
}

/**
 * With and without 2,000 unrelated host processes, on the same 100-process tree: the
 * "without" rounds are taken before and after the crowded ones, so that a drift in the
 * machine's load shows in both.
 */
async function hostIndependence(
  init: number,
  pids: readonly number[],
  lines: string[],
): Promise<void> {
  const rounds = 20;
  const scatter = (): void => place(pids, CGROUP_B);
  const quiet = [...timeHerdSamples(init, () => undefined, rounds)];
  const quietMoving = [...timeHerdSamples(init, scatter, rounds)];
  const shells = await startUnrelated(2000);
  let crowded: number[];
  let crowdedMoving: number[];
  try {
    crowded = timeHerdSamples(init, () => undefined, rounds * 2);
    crowdedMoving = timeHerdSamples(init, scatter, rounds * 2);
  } finally {
    await stopUnrelated(shells);
  }
  quiet.push(...timeHerdSamples(init, () => undefined, rounds));
  quietMoving.push(...timeHerdSamples(init, scatter, rounds));
  lines.push(
    `herd of 100 with 2,000 unrelated host processes / without: ` +
      `in place ${(median(crowded) / median(quiet)).toFixed(2)}, ` +
      `moving ${(median(crowdedMoving) / median(quietMoving)).toFixed(2)}  [${rounds * 2} runs each]`,
  );
}

export async function benchHerd(lines: string[]): Promise<void> {
  const mounts = hierarchies();
  for (const mount of mounts) {
    makeCgroup(mount, CGROUP_A);
    makeCgroup(mount, CGROUP_B);
  }
  try {
    for (const size of [10, 100, 1000]) {
      const tree = await startTree(size, CGROUP_A);
      try {
        const init = tree.child.pid as number;
        const rounds = 15;
        const moving = median(timeHerdSamples(init, () => place(tree.pids, CGROUP_B), rounds));
        const inPlace = median(timeHerdSamples(init, () => undefined, rounds));
        const goal =
          size === 1000
            ? `  (goal < 100 ms: ${inPlace < 100 ? 'met' : 'MISSED'} in place, ` +
              `${moving < 100 ? 'met' : 'MISSED'} moving)`
            : '';
        lines.push(
          `herd of ${String(size).padStart(4)} processes, ${mounts.length} ${mounts.length === 1 ? 'hierarchy' : 'hierarchies'}: ` +
            `all but init moved ${moving.toFixed(1)} ms, already in place ${inPlace.toFixed(1)} ms${goal}`,
        );
        if (size === 100) await hostIndependence(init, tree.pids, lines);
      } finally {
        await stopTree(tree);
      }
    }
  } finally {
    for (const mount of mounts) {
      for (const name of [CGROUP_A, CGROUP_B]) {
        try {
          rmdirSync(join(mount, name));
        } catch {
          // still busy: the cleanup in main.ts removes cgt-bench-* cgroups
        }
      }
    }
  }
}
