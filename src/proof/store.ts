// Where proof records live and how they are written: one file per container id under
// /run/cgherd/proof (tmpfs: a reboot empties it), in a folder only root may change
// (src/trust/directory.ts), written to a temporary name and renamed, so that the launcher
// never reads half a record (src/proc/replace-file.ts). The launcher reads a record only when root owns it and its
// folder; a record that is wrong anyway only fails to match.

import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { replaceFile } from '../proc/replace-file.js';
import { makeSafeDirectory } from '../trust/directory.js';
import { effectiveUid } from '../trust/owner.js';
import { formatProof, unrecordable, type ProofFacts } from './record.js';

/** bin/cgherd reads the same folder (proven_checkpoint). */
export const PROOF_DIR = '/run/cgherd/proof';

/** An id the launcher can name a file by; others get no record. */
export function proofFileName(id: string | undefined): string | undefined {
  if (id === undefined || id === '' || id === '.' || id === '..') return undefined;
  return /[/\n\0]/.test(id) ? undefined : id;
}

/** Writes the record for `id`; returns why it could not, or undefined. */
export function writeProof(id: string, facts: ProofFacts): string | undefined {
  const name = proofFileName(id);
  if (name === undefined) return `no record for id ${JSON.stringify(id)}`;
  const bad = unrecordable(facts);
  if (bad !== undefined) return bad;
  const dir = makeSafeDirectory(PROOF_DIR, effectiveUid());
  if ('refused' in dir) return dir.refused;
  return replaceFile(join(dir.real, name), formatProof(facts), 0o600);
}

/** Removes the record for `id`, if any. Never throws. */
export function removeProof(id: string | undefined): void {
  const name = proofFileName(id);
  if (name === undefined) return;
  try {
    rmSync(join(PROOF_DIR, name), { force: true });
  } catch {
    // A record that stays only fails to match once the container changes.
  }
}
