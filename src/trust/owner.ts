// Root runs cgherd's code and reads its configuration. A file or directory that another
// user can change hands that user root: a "runtime" key, a module, a V8 code cache. So
// each must be owned by root (or by the user running cgherd, which covers a development
// checkout run without root) and writable by neither its group nor others.

import { fstatSync, statSync } from 'node:fs';

export interface OwnerFacts {
  uid: number;
  mode: number;
}

/** Why `path` may not be trusted, or undefined when it may. Pure. */
export function untrustedBecause(
  path: string,
  facts: OwnerFacts,
  euid: number,
): string | undefined {
  if (facts.uid !== 0 && facts.uid !== euid) {
    return `${path} is owned by uid ${facts.uid}, not by root`;
  }
  if ((facts.mode & 0o022) !== 0) {
    const who = (facts.mode & 0o020) !== 0 ? 'its group' : 'others';
    return `${path} is writable by ${who} (mode ${(facts.mode & 0o7777).toString(8)})`;
  }
  return undefined;
}

export function effectiveUid(): number {
  return process.geteuid?.() ?? 0;
}

/** The check on an open descriptor (the file actually read, whatever a symlink named). */
export function fdUntrustedBecause(path: string, fd: number): string | undefined {
  return untrustedBecause(path, fstatSync(fd), effectiveUid());
}

/** The check on a path (following symlinks); a missing path is no reason. */
export function pathUntrustedBecause(path: string): string | undefined {
  let facts: OwnerFacts;
  try {
    facts = statSync(path);
  } catch {
    return undefined;
  }
  return untrustedBecause(path, facts, effectiveUid());
}

/** The advice that goes with every refusal. */
export const OWNER_ADVICE =
  'root runs or reads it, so only root may change it (chown root, chmod go-w)';
