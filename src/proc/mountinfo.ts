// /proc/self/mountinfo, and the cgroup mounts in it. Only what is mounted in cgherd's own
// mount namespace counts: that is where the lower runtime looks too.

export interface MountInfoEntry {
  mountId: number;
  parentId: number;
  /** The path inside the filesystem that is mounted here ('/' for a whole cgroup tree). */
  root: string;
  mountPoint: string;
  fsType: string;
  source: string;
  superOptions: string[];
}

/** mountinfo escapes space, tab, newline and backslash as \ooo octal. */
export function unescapeMountField(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

export function parseMountinfo(text: string): MountInfoEntry[] {
  const entries: MountInfoEntry[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const fields = line.split(' ');
    const dash = fields.indexOf('-', 6);
    if (dash < 0 || fields.length < dash + 4) continue;
    entries.push({
      mountId: Number(fields[0]),
      parentId: Number(fields[1]),
      root: unescapeMountField(fields[3] ?? ''),
      mountPoint: unescapeMountField(fields[4] ?? ''),
      fsType: fields[dash + 1] ?? '',
      source: unescapeMountField(fields[dash + 2] ?? ''),
      superOptions: (fields[dash + 3] ?? '').split(','),
    });
  }
  return entries;
}

export interface CgroupMount {
  version: 1 | 2;
  mountPoint: string;
  root: string;
  /** v1: the super options, which name the controllers (and `name=X`); v2: empty. */
  options: ReadonlySet<string>;
}

export function cgroupMounts(entries: readonly MountInfoEntry[]): CgroupMount[] {
  const mounts: CgroupMount[] = [];
  for (const entry of entries) {
    if (entry.fsType !== 'cgroup' && entry.fsType !== 'cgroup2') continue;
    mounts.push({
      version: entry.fsType === 'cgroup2' ? 2 : 1,
      mountPoint: entry.mountPoint,
      root: entry.root,
      options: new Set(entry.fsType === 'cgroup2' ? [] : entry.superOptions),
    });
  }
  return mounts;
}
