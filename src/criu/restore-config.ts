// The I/O half of restore-into-cgroup: decide, compute the path, write the per-restore
// CRIU config file.

import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mountedLines } from '../cgroup/hierarchy.js';
import { checkCgroupPath } from '../cgroup/paths.js';
import { readCgroupMounts } from '../herd/target.js';
import { NodeHost } from '../proc/node-host.js';
import { readCgroups } from '../proc/procfs.js';
import type { ParsedArgv } from '../runtime/argv.js';
import { cgroupManager, cgroupsPathFromConfig, crunCgroupfsPath } from './cgroup-path.js';
import { cgroupRootLines, criuConfigText } from './config.js';
import { restoreBundle } from './restore-args.js';

const CRIU_CONFIG_DIR = '/run/cgherd/criu';

export type Plan = { skip: string } | { path: string; lines: string[] };

/** The new container's cgroup and the CRIU lines that restore into it. */
export function planRestoreConfig(parsed: ParsedArgv, cwd: string): Plan {
  const manager = cgroupManager(parsed.globals);
  if (manager !== 'cgroupfs') return { skip: `cgroup manager ${manager}: the herd does it` };
  const id = parsed.id;
  if (id === undefined) return { skip: 'no container id' };
  const bundle = restoreBundle(parsed, cwd);
  const { hasLinux, cgroupsPath } = cgroupsPathFromConfig(
    readFileSync(join(bundle, 'config.json'), 'utf8'),
  );
  const path = crunCgroupfsPath(cgroupsPath, id, hasLinux);
  if (path === '/') return { skip: 'the container has no cgroup of its own' };
  const bad = checkCgroupPath(path);
  if (bad) return { skip: bad };
  const io = new NodeHost();
  try {
    const { mounted } = mountedLines(readCgroupMounts(io), readCgroups(io, 'self') ?? []);
    const lines = cgroupRootLines(
      mounted.map((m) => m.hierarchy),
      path,
    );
    if ('error' in lines) return { skip: lines.error };
    return { path, lines };
  } finally {
    io.close();
  }
}

/** Writes the file (0600) and returns its path. */
export function writeRestoreConfig(
  id: string,
  lines: readonly string[],
  callerConfig: string | undefined,
): string {
  const carried = callerConfig ? readFileSync(callerConfig, 'utf8') : undefined;
  mkdirSync(CRIU_CONFIG_DIR, { recursive: true, mode: 0o700 });
  const file = join(CRIU_CONFIG_DIR, `restore-${id.replace(/[^\w.-]/g, '_')}-${process.pid}.conf`);
  writeFileSync(file, criuConfigText(lines, carried), { mode: 0o600 });
  return file;
}

export function removeRestoreConfig(file: string): void {
  rmSync(file, { force: true });
}
