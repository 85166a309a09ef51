// The proof record: what cgherd knew when it last saw every process of a container's tree
// inside the container's cgroup. bin/cgherd (proven_checkpoint) reads it with shell
// built-ins only and compares it line by line; this file says the same rule in TypeScript,
// for the writer and for the unit tests. Pure.
//
// Line 1: the format's name. Line 2: the boot id. Line 3: the lower runtime's state file
// for the container (crun's `<root>/<id>/status`). Then that state file's text, verbatim.
// The state file names the container's init by pid and start time and carries its
// creation time: a container deleted and made again under the same id, by anyone, has
// another one; a reboot has another boot id (and empties /run, where records live).

export const PROOF_FORMAT = 'cgherd-proof 1';

export interface ProofFacts {
  bootId: string;
  /** Absolute path of the container's state file. */
  statusPath: string;
  /** The state file's text. */
  statusText: string;
}

/** Lines as the shell's `read` sees them: a missing final newline changes nothing. */
function lines(text: string): string[] {
  const all = text.split('\n');
  if (all.at(-1) === '') all.pop();
  return all;
}

/** Why these facts cannot be written down as a record (the shell could not read it back),
 *  or undefined. */
export function unrecordable(facts: ProofFacts): string | undefined {
  if (facts.bootId === '' || /[\n\r]/.test(facts.bootId)) return 'no usable boot id';
  if (!facts.statusPath.startsWith('/') || facts.statusPath.includes('\n')) {
    return `state file path ${JSON.stringify(facts.statusPath)} is not absolute`;
  }
  if (facts.statusText === '' || facts.statusText.includes('\0')) return 'empty state file';
  return undefined;
}

export function formatProof(facts: ProofFacts): string {
  return [PROOF_FORMAT, facts.bootId, facts.statusPath, ...lines(facts.statusText)]
    .map((line) => `${line}\n`)
    .join('');
}

/** Why `record` does not prove the container as it is `now`; undefined: it does. The
 *  launcher's proven_checkpoint applies this rule. */
export function proofMismatch(record: string, now: ProofFacts): string | undefined {
  const [format, bootId, statusPath, ...status] = lines(record);
  if (format !== PROOF_FORMAT) return 'not a proof record';
  if (bootId !== now.bootId) return 'written in another boot';
  if (statusPath !== now.statusPath) return `about ${statusPath ?? 'nothing'}`;
  if (status.length === 0) return 'it holds no state';
  if (status.join('\n') !== lines(now.statusText).join('\n')) {
    return 'the container was made again since';
  }
  return undefined;
}
