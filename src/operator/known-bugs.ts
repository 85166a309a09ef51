// Which known lower-runtime bug applies, worded for doctor. The facts (version ranges and
// what is wrong) live in src/criu/needs.ts, the one table the restore hook uses too.

import { needsFor } from '../criu/needs.js';
import type { ApplicableBug } from './doctor-findings.js';
import type { RuntimeIdentity } from './runtime-version.js';

export function applicableBugs(rt: RuntimeIdentity | undefined): ApplicableBug[] {
  if (!rt?.parsed) return [];
  const needs = needsFor(rt.parsed);
  const label = `${rt.name} ${rt.version ?? ''}`.trim();
  // needs.ts lists the restore placement bug first for the runtimes that have it.
  return needs.knownIssues.map((issue, i) =>
    needs.restoreCgroupRoot && i === 0
      ? {
          id: `${rt.name}-restore-placement`,
          severity: 'warning',
          summary: `${label} ${issue}`,
          advice:
            'run containers through cgherd: it gives CRIU the new cgroup on restore and herds the tree ' +
            'after restore and before checkpoint',
        }
      : {
          id: `${rt.name}-known-issue-${i + 1}`,
          severity: 'info',
          summary: `${label}: ${issue}`,
          advice:
            'cgherd herds the tree after restore and before checkpoint; a newer lower runtime fixes this',
        },
  );
}
