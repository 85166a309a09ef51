// Load: many tree8 containers checkpointed and restored in parallel under new ids, round
// after round, through one runtime under test. Shared by test/integration/load.test.ts
// (asserts the counts) and bench/load.ts (compares wall times).

import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { CgroupMode } from '../bed/bed.js';
import { TREE8_SIZE } from './bundle.js';
import { hostCgroupMounts, pathHasSegment } from '../cgroups/cgroups.js';
import { Scenario, type RuntimeUnderTest } from './scenario.js';

export interface LoadReport {
  label: string;
  mode: CgroupMode;
  containers: number;
  rounds: number;
  failedCheckpoints: number;
  failedRestores: number;
  /** Processes missing from restored trees, summed over containers and rounds. */
  lost: number;
  /** Strays or processes outside the recorded cgroup after each restore, summed. */
  strays: number;
  /** Cgroups named after a container that no longer exists, found after each round, and
   *  every cgroup with the prefix after the final delete, in every hierarchy. */
  leftoverCgroups: string[];
  /** Cgroups with the prefix left frozen (freezer.state or cgroup.freeze), at the end. */
  frozen: string[];
  /** The first few errors, for the failure message. */
  errors: string[];
  /** Wall time of each round (checkpoint all, then restore all). */
  roundMs: number[];
  ms: number;
}

/** Every cgroup directory, in every hierarchy mounted on the host, whose relative path
 *  satisfies match. */
export function cgroupsWhere(match: (rel: string) => boolean): string[] {
  const found: string[] = [];
  const seen = new Set<string>();
  for (const m of hostCgroupMounts()) {
    if (seen.has(m.mountPoint)) continue;
    seen.add(m.mountPoint);
    const walk = (rel: string): void => {
      let entries;
      try {
        entries = readdirSync(join(m.mountPoint, rel), { withFileTypes: true });
      } catch {
        return;
      }
      for (const e of entries) {
        if (!e.isDirectory()) continue;
        const child = `${rel}/${e.name}`;
        if (match(child)) found.push(join(m.mountPoint, child));
        walk(child);
      }
    };
    walk('');
  }
  return found;
}

/** Of the given cgroup directories, those left frozen. */
export function frozenCgroups(dirs: readonly string[]): string[] {
  return dirs.filter((dir) => {
    const read = (file: string): string | undefined => {
      try {
        return readFileSync(join(dir, file), 'utf8').trim();
      } catch {
        return undefined;
      }
    };
    const v1 = read('freezer.state');
    if (v1 !== undefined && v1 !== 'THAWED') return true;
    return existsSync(join(dir, 'cgroup.freeze')) && read('cgroup.freeze') === '1';
  });
}

/** Runs `containers` tree8 containers, then `rounds` times: checkpoint all in parallel,
 *  restore all in parallel under new ids (own bundles), count what went wrong. Cleans up
 *  everything it made, even on a throw. */
export async function runLoad(
  mode: CgroupMode,
  rt: RuntimeUnderTest,
  prefix: string,
  containers: number,
  rounds: number,
): Promise<LoadReport> {
  const started = Date.now();
  const sc = new Scenario(mode, rt, prefix);
  sc.timeoutMs = 300_000;
  const report: LoadReport = {
    label: rt.label,
    mode,
    containers,
    rounds,
    failedCheckpoints: 0,
    failedRestores: 0,
    lost: 0,
    strays: 0,
    leftoverCgroups: [],
    frozen: [],
    errors: [],
    roundMs: [],
    ms: 0,
  };
  const note = (text: string): void => {
    if (report.errors.length < 5) report.errors.push(text);
  };
  const idOf = (c: number, round: number): string => `${prefix}${c}r${round}`;
  const all = Array.from({ length: containers }, (_, c) => c);
  // Containers still alive after the last round, by index.
  let alive = new Map<number, string>();
  try {
    await Promise.all(
      all.map(async (c) => {
        const id = idOf(c, 0);
        const run = await sc.run(id, await sc.bundle(`b-${id}`, { tree: 'tree8' }));
        if (run.code !== 0) throw new Error(`${rt.label} ${mode}: run ${id}: ${run.stderr}`);
        await sc.waitForTree(id, TREE8_SIZE, 30_000);
        alive.set(c, id);
      }),
    );
    for (let round = 1; round <= rounds; round++) {
      const roundStart = Date.now();
      const dumped = new Map<number, string>();
      await Promise.all(
        [...alive].map(async ([c, id]) => {
          const image = sc.path(`img-${c}-${round}`);
          const r = await sc.checkpoint(id, image);
          if (r.code === 0) dumped.set(c, image);
          else {
            report.failedCheckpoints++;
            note(`checkpoint ${id}: exit ${r.code}: ${r.stderr.trim()}`);
          }
        }),
      );
      const next = new Map<number, string>();
      // Bundles first (copies of the rootfs), so the restores themselves start together.
      const bundles = new Map<number, string>();
      for (const c of dumped.keys()) {
        bundles.set(c, await sc.bundle(`b-${idOf(c, round)}`, { tree: 'tree8' }));
      }
      await Promise.all(
        [...dumped].map(async ([c, image]) => {
          const id = idOf(c, round);
          const r = await sc.restore(id, bundles.get(c) as string, image);
          if (r.code !== 0) {
            report.failedRestores++;
            note(`restore ${id}: exit ${r.code}: ${r.stderr.trim()}`);
            return;
          }
          next.set(c, id);
        }),
      );
      report.roundMs.push(Date.now() - roundStart);
      for (const [c, id] of next) {
        const p = await sc.placement(id);
        report.lost += Math.max(0, TREE8_SIZE - p.members.length);
        const misplaced = Math.max(p.strays.length, (p.outside ?? []).length);
        report.strays += misplaced;
        if (misplaced > 0 || p.members.length !== TREE8_SIZE) {
          note(`${id} (from ${alive.get(c)}): ${p.members.length} members, ${misplaced} misplaced`);
        }
      }
      report.lost += TREE8_SIZE * (alive.size - next.size);
      // The dumped containers are gone: no cgroup may carry their ids any more.
      const gone = [...alive.values()];
      report.leftoverCgroups.push(
        ...cgroupsWhere((rel) => gone.some((id) => pathHasSegment(rel, id))),
      );
      alive = next;
    }
    await Promise.all([...alive.values()].map((id) => sc.delete(id, true)));
    alive = new Map();
    const mine = cgroupsWhere((rel) => rel.includes(prefix));
    report.frozen = frozenCgroups(mine);
    report.leftoverCgroups.push(...mine);
  } finally {
    report.ms = Date.now() - started;
    await sc.cleanup();
  }
  return report;
}

export function describeLoad(r: LoadReport): string {
  return (
    `  ${r.mode} ${r.label}: ${r.containers} containers x ${r.rounds} rounds in ${r.ms} ms ` +
    `(rounds ${r.roundMs.join(', ')} ms): failed checkpoints ${r.failedCheckpoints}, ` +
    `failed restores ${r.failedRestores}, processes lost ${r.lost}, strays ${r.strays}, ` +
    `leftover cgroups ${r.leftoverCgroups.length}, frozen ${r.frozen.length}`
  );
}
