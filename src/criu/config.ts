// The per-restore CRIU configuration that makes CRIU restore the tree into the new
// container's cgroup. Measured (docs/measured-facts.md): on v2 the one line
// `cgroup-root :PATH`; on v1 one `cgroup-root CTRL:PATH` per mounted hierarchy, named ones
// included. A global `cgroup-root PATH` also rewrites hierarchies the runtime does not
// use: never written.

export interface HierarchyName {
  version: 1 | 2;
  /** The controllers field of /proc/<pid>/cgroup ('' for cgroup2). */
  controllers: string;
}

/** Characters CRIU's config parser would split on or treat as a comment or quote. */
const UNSAFE = /[\s#"'\\]/;

export function cgroupRootLines(
  hierarchies: readonly HierarchyName[],
  path: string,
): string[] | { error: string } {
  if (UNSAFE.test(path))
    return { error: `cgroup path ${JSON.stringify(path)} cannot be written to a CRIU config` };
  // Hybrid (v1 controllers plus a cgroup2 mount): the runtime manages the v1 hierarchies;
  // the cgroup2 is left as it is, like the cgroup2 a global root would wrongly rewrite.
  const v1 = hierarchies.some((h) => h.version === 1);
  if (!v1) {
    return hierarchies.some((h) => h.version === 2)
      ? [`cgroup-root :${path}`]
      : { error: 'no mounted cgroup hierarchy' };
  }
  const names = [
    ...new Set(hierarchies.filter((h) => h.controllers !== '').map((h) => h.controllers)),
  ];
  if (names.length === 0) return { error: 'no mounted cgroup hierarchy' };
  return names.map((controllers) => `cgroup-root ${controllers}:${path}`);
}

/**
 * The generated file: the caller's own CRIU_CONFIG_FILE content first (kept, except its
 * cgroup-root lines: CRIU fails with "CG paths mismatch" when two roots name the same
 * controller), then ours.
 */
export function criuConfigText(lines: readonly string[], carried?: string): string {
  const out: string[] = [];
  if (carried !== undefined && carried.trim() !== '') {
    out.push("# from the caller's CRIU_CONFIG_FILE");
    for (const line of carried.split('\n')) {
      if (/^\s*(--)?cgroup-root(\s|=|$)/.test(line)) {
        out.push(`# replaced by cgherd: ${line.trim()}`);
      } else {
        out.push(line);
      }
    }
    if (out.at(-1) === '') out.pop();
  }
  out.push("# cgherd: restore into the new container's cgroup");
  out.push(...lines);
  return `${out.join('\n')}\n`;
}
