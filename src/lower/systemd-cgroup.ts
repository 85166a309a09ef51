// Where a container's cgroup is under crun's systemd cgroup manager (the global
// `--systemd-cgroup`, Podman's default on a systemd host), computed the way crun and
// systemd compute it, so that a restore can hand CRIU the new container's cgroup before
// the scope exists:
// - cgroupsPath `SLICE:PREFIX:NAME` names the transient unit `PREFIX-NAME.scope` in SLICE
//   (crun's get_systemd_scope_and_slice: the first ':' after the slice becomes '-');
// - a slice's cgroup is its dash-separated ancestry: `a-b.slice` lives in
//   `/a.slice/a-b.slice`, `-.slice` is the root (systemd's unit_name_to_path);
// - crun then moves the init into the scope's sub-cgroup named by the annotation
//   `run.oci.systemd.subgroup`, "container" when it is absent and none when it is empty
//   (crun's find_systemd_subgroup, 1.8 to 1.21 alike): the scope delegates, and on v2 a
//   process may only live in a leaf.
// Paths are as systemd sees them from the root of its cgroup hierarchy, which is the root
// of the caller's cgroup namespace when the caller runs on that host (conmon, cgherd).

export interface SystemdCgroup {
  slice: string;
  /** The transient unit crun asks systemd for, e.g. `libpod-<id>.scope`. */
  scope: string;
  /** The scope's cgroup, e.g. `/machine.slice/libpod-<id>.scope`. */
  scopePath: string;
  /** Where the container's processes live: the scope's sub-cgroup, or the scope itself. */
  leafPath: string;
}

/** systemd's unit-name rule, for the characters a cgroup path can carry safely. */
const UNIT_WORD = /^[A-Za-z0-9:_.\\-]+$/;

/** The cgroup directory of a slice unit, or why it has none we can name. */
export function sliceCgroupPath(slice: string): string | { error: string } {
  if (!slice.endsWith('.slice') || !UNIT_WORD.test(slice)) {
    return { error: `${JSON.stringify(slice)} is not a slice unit name` };
  }
  if (slice === '-.slice') return '/';
  const stem = slice.slice(0, -'.slice'.length);
  const parts = stem.split('-');
  if (parts.some((p) => p === '')) {
    return { error: `${JSON.stringify(slice)} has an empty dash-separated part` };
  }
  const dirs: string[] = [];
  for (let i = 1; i <= parts.length; i++) dirs.push(`${parts.slice(0, i).join('-')}.slice`);
  return `/${dirs.join('/')}`;
}

/** The annotation crun reads; undefined when absent (crun's default then applies). */
export function systemdSubgroupAnnotation(config: unknown): string | undefined {
  if (typeof config !== 'object' || config === null) return undefined;
  const annotations = (config as { annotations?: unknown }).annotations;
  if (typeof annotations !== 'object' || annotations === null) return undefined;
  const value = (annotations as Record<string, unknown>)['run.oci.systemd.subgroup'];
  return typeof value === 'string' ? value : undefined;
}

/**
 * `SLICE:PREFIX:NAME` to the scope and its leaf. Only this form (Podman's, and
 * Kubernetes' with the systemd driver) is computed; crun's other forms leave the slice to
 * systemd's defaults, which cgherd does not guess.
 */
export function crunSystemdCgroup(
  cgroupsPath: string | undefined,
  subgroupAnnotation: string | undefined,
): SystemdCgroup | { error: string } {
  if (cgroupsPath === undefined || cgroupsPath === '') {
    return { error: 'no cgroupsPath: crun would pick the slice (systemd default)' };
  }
  const parts = cgroupsPath.split(':');
  if (parts.length !== 3) {
    return { error: `cgroupsPath ${JSON.stringify(cgroupsPath)} is not SLICE:PREFIX:NAME` };
  }
  const [slice, prefix, name] = parts as [string, string, string];
  if (prefix === '' || name === '') {
    return { error: `cgroupsPath ${JSON.stringify(cgroupsPath)} has an empty prefix or name` };
  }
  const slicePath = sliceCgroupPath(slice);
  if (typeof slicePath !== 'string') return slicePath;
  const scope = `${prefix}-${name}.scope`;
  if (!UNIT_WORD.test(scope)) return { error: `${JSON.stringify(scope)} is not a unit name` };
  const scopePath = slicePath === '/' ? `/${scope}` : `${slicePath}/${scope}`;
  const subgroup = subgroupAnnotation ?? 'container';
  if (subgroup.includes('/') || subgroup === '.' || subgroup === '..') {
    return { error: `run.oci.systemd.subgroup ${JSON.stringify(subgroup)} is not one name` };
  }
  return {
    slice,
    scope,
    scopePath,
    leafPath: subgroup === '' ? scopePath : `${scopePath}/${subgroup}`,
  };
}
