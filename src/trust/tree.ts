// Before Node loads modules from a tree (the operator face: dist/ and node_modules/; the
// debug log: the `debug` package and what it requires), every file and folder in it is
// checked as the launcher checks the few it starts Node with (owner.ts): Node resolves
// and reads modules by path, so a file another user can change, anywhere in what may be
// loaded, would be run as root. The walk covers everything that could be loaded, not a
// guess at what will be.

import { lstatSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { effectiveUid, untrustedBecause } from './owner.js';

/** The first path below `roots` (each included) another user could change; undefined
 *  when none. Symbolic links are checked where they lead, never walked into; a path that
 *  does not exist holds nothing to load. */
export function untrustedInTrees(
  roots: readonly string[],
  euid: number = effectiveUid(),
): string | undefined {
  const stack = [...roots];
  while (stack.length > 0) {
    const path = stack.pop() as string;
    let facts;
    try {
      facts = statSync(path);
    } catch {
      continue;
    }
    const why = untrustedBecause(path, facts, euid);
    if (why !== undefined) return why;
    if (!facts.isDirectory() || lstatSync(path).isSymbolicLink()) continue;
    for (const name of readdirSync(path)) stack.push(join(path, name));
  }
  return undefined;
}
