// Where cgherd departs from the pinned runtime-spec schemas, and why: the table in
// schemas/runtime-spec-amendments.json, as the build applied it (generated/amendments.ts).
// The rule it implements: in enforce mode cgherd refuses only what the lower runtime would
// also refuse, or what would make it run something other than what the file says.

import { TABLE } from './generated/amendments.js';

export interface AmendmentSource {
  project: string;
  version: string;
  file: string;
  function: string;
}

export interface Amendment {
  id: string;
  /** relax: the schema was widened to what the runtimes accept; refuse: cgherd refuses
   *  although crun runs it, because crun would run something other than the file says. */
  kind: 'relax' | 'refuse';
  /** Into config.json; `*` stands for any one token, a final `**` for any rest. */
  configPointer: string;
  /** For a refuse row: the schema keywords it covers (all when absent). */
  keywords?: string[];
  schemaSays: string;
  crunAccepts: string;
  runcAccepts: string;
  cgherd: string;
  sources: AmendmentSource[];
  patch?: { file: string; pointer: string; from: unknown; to: unknown };
  /** Values for configPointer (`*` = 0) that the validators must accept or refuse. */
  examples?: { at?: string; accepted?: unknown[]; refused?: unknown[] };
  why: string;
}

export interface AmendmentTable {
  rule: string;
  amendments: Amendment[];
}

/** Checked against its schema by the generator. */
export const AMENDMENTS: AmendmentTable = TABLE as AmendmentTable;

/** Does a config pointer fall under a row's pattern (`*` = any one token, a final `**`
 *  = any rest, none included)? */
export function pointerMatches(pattern: string, pointer: string): boolean {
  if (pattern === pointer) return true;
  const want = pattern.split('/');
  const got = pointer.split('/');
  if (want[want.length - 1] === '**') {
    want.pop();
    if (got.length < want.length) return false;
    got.length = want.length;
  }
  return want.length === got.length && want.every((token, i) => token === '*' || token === got[i]);
}

/** The refuse row that explains a refusal: the issue's own, or the first row whose
 *  pointer pattern and keywords cover it. */
export function refuseRowFor(
  issue: { pointer: string; keyword?: string; amendment?: string },
  table = AMENDMENTS,
): Amendment | undefined {
  const own = table.amendments.find((a) => a.id === issue.amendment);
  if (own) return own;
  return table.amendments.find(
    (a) =>
      a.kind === 'refuse' &&
      a.configPointer !== '' &&
      pointerMatches(a.configPointer, issue.pointer) &&
      (a.keywords === undefined ||
        (issue.keyword !== undefined && a.keywords.includes(issue.keyword))),
  );
}

/** The table for people: the rule, then one block per row. */
export function explainLines(table = AMENDMENTS): string[] {
  const lines = [`Rule: ${table.rule}`, ''];
  for (const a of table.amendments) {
    const at = a.configPointer === '' ? '(any key)' : a.configPointer;
    const keywords = a.keywords ? ` (schema keywords: ${a.keywords.join(', ')})` : '';
    lines.push(`${a.id} (${a.kind}) at ${at}${keywords}`);
    lines.push(`  schema says:   ${a.schemaSays}`);
    lines.push(`  crun accepts:  ${a.crunAccepts}`);
    lines.push(`  runc accepts:  ${a.runcAccepts}`);
    lines.push(`  cgherd:        ${a.cgherd}`);
    if (a.patch) lines.push(`  schema patch:  ${a.patch.file}#${a.patch.pointer}`);
    const shown = (values: unknown[] | undefined): string =>
      (values ?? []).map((v) => JSON.stringify(v)).join(', ');
    if (a.examples?.accepted) lines.push(`  accepted:      ${shown(a.examples.accepted)}`);
    if (a.examples?.refused) lines.push(`  refused:       ${shown(a.examples.refused)}`);
    for (const s of a.sources) {
      lines.push(`  source:        ${s.project} ${s.version}: ${s.file}, ${s.function}`);
    }
    lines.push(`  why:           ${a.why}`, '');
  }
  return lines;
}
