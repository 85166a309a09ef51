// The cgroups a bed's podman calls start in: a leaf `/<bed>/podman` in each hierarchy that
// the mode leaves unmounted but the kernel still lists in /proc/PID/cgroup. CRIU reads
// every hierarchy it lists, not only the mounted ones, and records the subtree under the
// container's cgroup there. If that cgroup is a hierarchy's root, the image holds the
// host's whole tree (other tests' cgroups come and go: "bad cgroup path" on restore), and
// crun 1.21 has CRIU copy the root's settings into the new container's cgroup (the
// cgroup2 root's `hugetlb` subtree_control: ENOENT or EBUSY, every restore fails on v1).
// From a leaf of its own the container restores as on a host whose other hierarchies
// hold nothing but it.

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CgroupMode } from '../bed/bed.js';
import type { CgroupMount } from '../cgroups/cgroups.js';
import { shQuote } from './podman-conf.js';

/** Host paths of the entry leaves for a bed. On v2 the memory hierarchy is left alone:
 *  the caller's memory cgroup may carry the limits it is meant to run under. */
export function entryCgroups(
  mode: CgroupMode,
  name: string,
  mounts: readonly CgroupMount[],
): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const m of mounts) {
    if (seen.has(m.mountPoint)) continue;
    seen.add(m.mountPoint);
    const wanted =
      mode === 'v1'
        ? m.fstype === 'cgroup2'
        : m.fstype === 'cgroup' && !m.superOptions.split(',').includes('memory');
    if (wanted) out.push(join(m.mountPoint, name, 'podman'));
  }
  return out;
}

/** Creates the leaves. A new v1 cpuset has no CPUs and no memory nodes, and no task can
 *  join it until it has both: copy them down from the parent. */
export function createEntryCgroups(leaves: readonly string[]): void {
  for (const leaf of leaves) {
    const levels = [join(leaf, '..'), leaf];
    for (const dir of levels) {
      mkdirSync(dir, { recursive: true });
      for (const file of ['cpuset.cpus', 'cpuset.mems']) {
        let mine: string;
        try {
          mine = readFileSync(join(dir, file), 'utf8').trim();
        } catch {
          continue; // not a cpuset hierarchy
        }
        if (mine === '')
          writeFileSync(join(dir, file), readFileSync(join(dir, '..', file), 'utf8'));
      }
    }
  }
}

/** A `sh -c` script that moves itself into the leaves, then execs "$@". */
export function joinAndExecScript(leaves: readonly string[]): string {
  const joins = leaves.map((l) => `echo $$ > ${shQuote(join(l, 'cgroup.procs'))} || exit 125`);
  return [...joins, 'exec "$@"'].join('\n');
}
