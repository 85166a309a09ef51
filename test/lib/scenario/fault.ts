// Shared set-up of the fault tests: a bystander container (bare crun 1.8.1) and a host
// process, whose cgroups must come out of every fault untouched, and the checks every
// fault ends with (nothing frozen, bystanders untouched).

import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import * as assert from 'uvu/assert';
import { RUNTIMES } from '../bed/bed.js';
import { cgroupsWhere, frozenCgroups } from './load.js';
import { bare, type Scenario } from './scenario.js';

export interface Bystanders {
  pids: number[];
  cgroups: string[];
}

function cgroupText(pid: number): string {
  return readFileSync(`/proc/${pid}/cgroup`, 'utf8');
}

/** A single-process container run by bare crun 1.8.1 in the scenario, and a host sleep. */
export async function startBystanders(sc: Scenario, id: string): Promise<Bystanders> {
  const crun = sc.through(bare(RUNTIMES.crun181, 'crun 1.8.1'));
  const run = await crun.run(id, await sc.bundle(`b-${id}`, { tree: 'single' }));
  assert.is(run.code, 0, `bystander: ${run.stderr}`);
  const neighbour = await sc.initPid(id);
  const host = spawn('/bin/sleep', ['1000'], { detached: true, stdio: 'ignore' });
  host.unref();
  const pids = [neighbour, host.pid as number];
  return { pids, cgroups: pids.map(cgroupText) };
}

export function assertBystandersUntouched(b: Bystanders): void {
  assert.equal(b.pids.map(cgroupText), b.cgroups, "a bystander's cgroups changed");
}

export function stopBystanders(b: Bystanders): void {
  const host = b.pids[1];
  if (host !== undefined) {
    try {
      process.kill(host, 'SIGKILL');
    } catch {
      // gone
    }
  }
}

/** Cgroups with the prefix left frozen, in every hierarchy. */
export function frozenWithPrefix(prefix: string): string[] {
  return frozenCgroups(cgroupsWhere((rel) => rel.includes(prefix)));
}

/** cgherd's per-restore CRIU config files for an id, left in /run/cgherd/criu. */
export function criuConfigFiles(id: string): string[] {
  const dir = '/run/cgherd/criu';
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.includes(`restore-${id}-`)) : [];
}

/** The container's status per bare crun (`running`, `stopped`, …), or its error. */
export async function lowerStatus(sc: Scenario, id: string): Promise<string> {
  const r = await sc.through(bare(RUNTIMES.crun181, 'crun 1.8.1')).call(['state', id]);
  if (r.code !== 0) return `state failed: ${r.stderr.trim()}`;
  return String((JSON.parse(r.stdout) as { status?: unknown }).status);
}
