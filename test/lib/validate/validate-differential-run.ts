// Runs the differential test's configs through crun and through cgherd's validator, and
// sorts the verdicts. crun runs with cgherd out of the way: one private mount namespace
// for the whole batch (inMode), in it one shell loop that does `create` (never `start`)
// and `delete -f` per bundle and records crun's exit status and message. cgherd's verdict
// is checkOciConfigFile, the very function its validate-config hook runs in enforce mode,
// held to the same answer as validateOciConfigFile (what `cgherd validate` prints).
// Not a test file itself.

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inMode, type CgroupMode } from '../bed/bed.js';
import { refuseRowFor } from '../../../src/validate/amendments.js';
import {
  checkOciConfigFile,
  validateOciConfigFile,
  type ValidationIssue,
} from '../../../src/validate/oci-config.js';
import type { Candidate } from './validate-differential-configs.js';

export interface Verdict {
  name: string;
  file: string;
  crunCreated: boolean;
  /** crun's first error line when it refused. */
  crunSays: string;
  cgherdAccepts: boolean;
  issues: ValidationIssue[];
  /** Set when crun created it, cgherd refuses it, and refuse rows cover every issue. */
  explainedBy?: string[];
}

export interface Differential {
  tried: number;
  agreeCreated: number;
  agreeRefused: number;
  /** crun creates, cgherd refuses, a refuse row says why. */
  explained: Verdict[];
  /** crun creates, cgherd refuses, no row: the failures. */
  unexplained: Verdict[];
  /** crun refuses, cgherd accepts: reported, not failures (crun checks the host too). */
  crunOnly: Verdict[];
}

// $1 runtime, $2 bundles dir, $3 state root, $4 id prefix. One line of set-up per bundle
// would cost a namespace each; one loop costs one.
const LOOP = `
runtime=$1; bundles=$2; state=$3; prefix=$4
for b in "$bundles"/*/; do
  n=$(basename "$b")
  /usr/bin/timeout 20 "$runtime" --root "$state" create --bundle "$b" "$prefix$n" </dev/null >"$b/crun.out" 2>&1
  echo $? >"$b/crun.rc"
  /usr/bin/timeout 20 "$runtime" --root "$state" delete -f "$prefix$n" >/dev/null 2>&1
done
`;

/** Which refuse rows explain every issue, or undefined when one issue has none. */
function explanation(issues: readonly ValidationIssue[]): string[] | undefined {
  const rows: string[] = [];
  for (const issue of issues) {
    const row = refuseRowFor(issue)?.id;
    if (row === undefined) return undefined;
    if (!rows.includes(row)) rows.push(row);
  }
  return rows;
}

export async function runDifferential(opts: {
  runtime: string;
  mode: CgroupMode;
  candidates: readonly Candidate[];
  dir: string;
  idPrefix: string;
}): Promise<Differential> {
  const bundles = join(opts.dir, 'bundles');
  const state = join(opts.dir, 'state');
  mkdirSync(bundles, { recursive: true });
  mkdirSync(state, { recursive: true });
  const width = String(opts.candidates.length).length;
  const dirs = opts.candidates.map((c, i) => {
    const dir = join(bundles, String(i).padStart(width, '0'));
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'config.json'), c.text);
    return dir;
  });
  const script = join(opts.dir, 'loop.sh');
  writeFileSync(script, LOOP);
  const run = await inMode(
    opts.mode,
    '/bin/sh',
    [script, opts.runtime, bundles, state, opts.idPrefix],
    {
      timeoutMs: 30 * 60_000,
    },
  );
  if (run.code !== 0) throw new Error(`crun loop failed (${run.code}): ${run.stderr}`);

  const result: Differential = {
    tried: 0,
    agreeCreated: 0,
    agreeRefused: 0,
    explained: [],
    unexplained: [],
    crunOnly: [],
  };
  opts.candidates.forEach((c, i) => {
    const dir = dirs[i] as string;
    const file = join(dir, 'config.json');
    const crunCreated = readFileSync(join(dir, 'crun.rc'), 'utf8').trim() === '0';
    const out = readFileSync(join(dir, 'crun.out'), 'utf8').trim();
    const outcome = checkOciConfigFile(file);
    const full = validateOciConfigFile(file);
    if (outcome.ok !== full.ok) throw new Error(`${c.name}: the two validators disagree`);
    const verdict: Verdict = {
      name: c.name,
      file,
      crunCreated,
      crunSays: out.split('\n')[0] ?? '',
      cgherdAccepts: outcome.ok,
      issues: outcome.ok ? [] : outcome.issues,
    };
    result.tried++;
    if (crunCreated && outcome.ok) result.agreeCreated++;
    else if (!crunCreated && !outcome.ok) result.agreeRefused++;
    else if (!crunCreated) result.crunOnly.push(verdict);
    else {
      verdict.explainedBy = explanation(verdict.issues);
      (verdict.explainedBy ? result.explained : result.unexplained).push(verdict);
    }
  });
  return result;
}

/** The report printed by the test: counts, then every disagreement in both directions. */
export function reportLines(label: string, d: Differential): string[] {
  const issueText = (v: Verdict): string =>
    v.issues.map((i) => `${i.pointer}: ${i.message}`).join('; ');
  return [
    `${label}: ${d.tried} configs; both create ${d.agreeCreated}, both refuse ${d.agreeRefused}; ` +
      `crun creates but cgherd refuses: ${d.explained.length} explained by a refuse row, ` +
      `${d.unexplained.length} unexplained; crun refuses but cgherd accepts: ${d.crunOnly.length}`,
    ...d.unexplained.map((v) => `  UNEXPLAINED refusal ${v.name}: ${issueText(v)}`),
    ...d.explained.map(
      (v) => `  explained refusal (${v.explainedBy?.join(', ')}) ${v.name}: ${issueText(v)}`,
    ),
    ...d.crunOnly.map((v) => `  crun refuses, cgherd accepts ${v.name}: ${v.crunSays}`),
  ];
}
