// Reads the containers.conf files Podman would read, in its order. Missing files are
// normal; a file or directory that exists but cannot be read is an error, because then
// nobody can say what Podman will do. The error keeps Node's errno code: the operator
// turns it into its exit status (src/operator/exit.ts).

import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { mainConfPaths, selectDropIns, type ConfLocations, type ConfText } from './podman-conf.js';

/** A Podman configuration file or drop-in directory that exists but cannot be read. */
export class ConfUnreadable extends Error {
  constructor(
    message: string,
    readonly errno: string | undefined,
  ) {
    super(message);
    this.name = 'ConfUnreadable';
  }
}

function errnoOf(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

function unreadable(what: string, path: string, err: unknown): ConfUnreadable {
  const code = errnoOf(err);
  const reason =
    code === 'EACCES' || code === 'EPERM' ? `permission denied (${code})` : (code ?? String(err));
  return new ConfUnreadable(`cannot read ${what} ${path}: ${reason}`, code);
}

export function readConfFile(path: string): ConfText | undefined {
  try {
    return { path, text: readFileSync(path, 'utf8') };
  } catch (err) {
    if (errnoOf(err) === 'ENOENT') return undefined;
    throw unreadable('Podman configuration file', path, err);
  }
}

/** `*.conf` names in a drop-in directory, sorted; [] when the directory does not exist. */
export function listDropIns(dir: string): string[] {
  try {
    return selectDropIns(readdirSync(dir));
  } catch (err) {
    if (errnoOf(err) === 'ENOENT') return [];
    throw unreadable('Podman drop-in directory', dir, err);
  }
}

export interface PodmanConfFiles {
  /** Every file that exists, in the order Podman applies them. */
  files: ConfText[];
  /** True when CONTAINERS_CONF is set: Podman 4.3 reads that file and nothing else. */
  overridden: boolean;
}

export function readPodmanConf(loc: ConfLocations): PodmanConfFiles {
  const { files, dropInDirs } = mainConfPaths(loc);
  const out: ConfText[] = [];
  for (const path of files) {
    const file = readConfFile(path);
    if (file) out.push(file);
  }
  for (const dir of dropInDirs) {
    for (const name of listDropIns(dir)) {
      const file = readConfFile(join(dir, name));
      if (file) out.push(file);
    }
  }
  return { files: out, overridden: Boolean(loc.env.CONTAINERS_CONF) };
}
