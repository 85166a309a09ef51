// systemd's units in cgroup paths. Under systemd every cgroup on the way down is a unit
// (slice, scope, service) or a delegated sub-cgroup of one, and systemd's view of its units
// must stay true (issue 19):
// - a directory CRIU re-created for a dumped path is removed only when systemd has no unit
//   for it: a unit's cgroup is systemd's to remove;
// - nothing is ever written into a slice (an inner node: it holds no processes of its own,
//   and on v2 with controllers the kernel refuses) or into init.scope (PID 1's alone).

const UNIT_SUFFIX = /\.(slice|scope|service|socket|mount|swap)$/;

/** The systemd units a cgroup path passes through, outermost first. */
export function unitsOnPath(path: string): string[] {
  return path.split('/').filter((segment) => UNIT_SUFFIX.test(segment));
}

/** The unit whose cgroup `path` is, if its last segment names one. */
export function unitOfPath(path: string): string | undefined {
  const last = path.split('/').at(-1) ?? '';
  return UNIT_SUFFIX.test(last) ? last : undefined;
}
