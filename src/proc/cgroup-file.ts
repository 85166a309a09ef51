// /proc/<pid>/cgroup: one `hierarchy-id:controllers:path` line per hierarchy the kernel
// has, mounted or not. The path may itself contain ':'.

export interface ProcCgroupLine {
  hierarchyId: number;
  /** Comma-separated controllers, `name=X` for named v1 hierarchies, '' for cgroup2. */
  controllers: string;
  path: string;
}

export function parseProcCgroup(text: string): ProcCgroupLine[] {
  const lines: ProcCgroupLine[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const first = line.indexOf(':');
    const second = line.indexOf(':', first + 1);
    if (first < 0 || second < 0) continue;
    lines.push({
      hierarchyId: Number(line.slice(0, first)),
      controllers: line.slice(first + 1, second),
      path: line.slice(second + 1),
    });
  }
  return lines;
}
