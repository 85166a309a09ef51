// Can a container move its own processes out of its cgroup? Pure, from its config.json.
//
// Moving a process means writing its pid into some cgroup's cgroup.procs. A process in
// the container can do that outside its own subtree only through a cgroup filesystem
// that shows cgroups beyond it, and only with write access there. Three rules close each
// way in:
// - no CAP_SYS_ADMIN in any capability set: without it no cgroup filesystem can be
//   mounted (or remounted writable) in the container's namespaces, nor another cgroup
//   namespace joined;
// - a private mount namespace, in which every cgroup mount is read-only and no host
//   folder that holds the host's cgroup mounts is bound in: the existing mounts allow no
//   write;
// - a private cgroup namespace: a cgroup2 filesystem mounted from a new user namespace
//   (which any process may make where the kernel allows it, and which then has
//   CAP_SYS_ADMIN over it) is rooted at the namespace's root, and the kernel refuses a
//   migration to or from a cgroup outside that root. A namespace can only narrow.
// Moving a process within the container's own subtree keeps it under the freezer that
// CRIU freezes (it freezes the subtree), so that is never astray.

export type Movable = { movable: false } | { movable: true; why: string };

const CAP_SYS_ADMIN = 'CAP_SYS_ADMIN';
const CAPABILITY_SETS = ['bounding', 'effective', 'inheritable', 'permitted', 'ambient'];
const CGROUP_FS_TYPES = new Set(['cgroup', 'cgroup2']);
const CGROUP_MOUNTS = '/sys/fs/cgroup';

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function strings(value: unknown): string[] | undefined {
  return Array.isArray(value) && value.every((v) => typeof v === 'string') ? value : undefined;
}

/** `/`, `/sys`, `/sys/fs`, `/sys/fs/cgroup` and anything below it: a bind of one of them
 *  brings host cgroup mounts along. */
function holdsCgroupMounts(source: string): boolean {
  const path = source.replace(/\/+$/, '') || '/';
  if (path === '/' || path === '/sys' || path === '/sys/fs') return true;
  return path === CGROUP_MOUNTS || path.startsWith(`${CGROUP_MOUNTS}/`);
}

function capabilityProblem(process: unknown): string | undefined {
  if (!isObject(process)) return 'the config has no process';
  const caps = process.capabilities;
  // Absent, the lower runtime's own defaults apply, and they are not in the config.
  if (!isObject(caps)) return 'process.capabilities is missing';
  for (const set of CAPABILITY_SETS) {
    const value = caps[set];
    if (value === undefined) continue;
    const list = strings(value);
    if (list === undefined) return `process.capabilities.${set} is not a list of names`;
    if (list.includes(CAP_SYS_ADMIN)) return `${CAP_SYS_ADMIN} is in its ${set} set`;
  }
  return undefined;
}

function namespaceProblem(linux: unknown): string | undefined {
  const namespaces = isObject(linux) ? linux.namespaces : undefined;
  if (!Array.isArray(namespaces)) return 'linux.namespaces is missing';
  for (const type of ['mount', 'cgroup']) {
    const ns = namespaces.find((n) => isObject(n) && n.type === type) as
      Record<string, unknown> | undefined;
    if (ns === undefined) return `it shares the host's ${type} namespace`;
    // Joining a namespace by path: whose it is cannot be told from here.
    if (ns.path !== undefined && ns.path !== '')
      return `it joins the ${type} namespace ${String(ns.path)}`;
  }
  return undefined;
}

function mountProblem(mounts: unknown): string | undefined {
  if (mounts === undefined) return undefined;
  if (!Array.isArray(mounts)) return 'mounts is not a list';
  for (const m of mounts) {
    if (!isObject(m)) return 'a mount is not an object';
    const options = strings(m.options ?? []);
    if (options === undefined) return `the mount on ${String(m.destination)} has bad options`;
    const type = typeof m.type === 'string' ? m.type : '';
    const source = typeof m.source === 'string' ? m.source : '';
    const bind = type === 'bind' || options.includes('bind') || options.includes('rbind');
    if (bind && holdsCgroupMounts(source)) {
      return `${source} (which holds the host's cgroup mounts) is bound on ${String(m.destination)}`;
    }
    if (CGROUP_FS_TYPES.has(type) && (!options.includes('ro') || options.includes('rw'))) {
      return `its ${type} mount on ${String(m.destination)} is writable`;
    }
  }
  return undefined;
}

/** Whether a process of the container could put a process of its tree outside the
 *  container's cgroup, and why; `movable: false` only when every rule above holds. */
export function canMoveOwnProcesses(config: unknown): Movable {
  if (!isObject(config)) return { movable: true, why: 'the config is not an object' };
  const why =
    capabilityProblem(config.process) ??
    namespaceProblem(config.linux) ??
    mountProblem(config.mounts);
  return why === undefined ? { movable: false } : { movable: true, why };
}
