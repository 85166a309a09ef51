// Text for validation results: one line for the runtime face (one error record per
// call), every issue for the operator face.

import type { ValidationOutcome } from './oci-config.js';

type Failure = Extract<ValidationOutcome, { ok: false }>;

function issueLine(issue: { pointer: string; message: string }): string {
  return issue.pointer === '' ? issue.message : `${issue.pointer}: ${issue.message}`;
}

/** One line naming the file, the first pointer, expected and found. */
export function oneLineRefusal(outcome: Failure): string {
  const first = outcome.issues[0];
  if (outcome.kind !== 'schema' || first === undefined) {
    return `invalid OCI config: ${first?.message ?? outcome.file}`;
  }
  const more = outcome.issues.length - 1 + outcome.omitted;
  const tail = more > 0 ? ` (and ${more} more; see cgherd validate ${outcome.file})` : '';
  return `invalid OCI config ${outcome.file}: ${issueLine(first)}${tail}`;
}

/** Every issue, one per line, for people. */
export function allIssueLines(outcome: Failure): string[] {
  if (outcome.kind !== 'schema') return outcome.issues.map((issue) => issue.message);
  const lines = outcome.issues.map((issue) => `${outcome.file}: ${issueLine(issue)}`);
  if (outcome.omitted > 0) lines.push(`${outcome.file}: ${outcome.omitted} more errors not listed`);
  return lines;
}
