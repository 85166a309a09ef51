// Which known lower-runtime bug applies, worded for doctor. The facts (version ranges and
// what is wrong) live in src/lower/needs.ts, the one table the restore hook uses too.

import type { RestoreCgroupRootMode } from '../../config/settings.js';
import { needsFor } from '../../lower/needs.js';
import type { ApplicableBug } from './facts.js';
import type { RuntimeIdentity } from '../../lower/version.js';

const NEVER_ADVICE =
  'restoreCgroupRoot is "never" in the cgherd configuration: the herd still places the tree, ' +
  'but a restore keeps the old cgroup namespace, and on cgroup v2 with a private one ' +
  '(Podman\'s default) the next checkpoint fails with "... is not a suffix of ..."; set it to "auto"';

/**
 * The known bugs of the lower runtime in use, with what cgherd does about each under the
 * configured `restoreCgroupRoot` (a forced mode is reported too, where it departs from the
 * version table).
 */
export function applicableBugs(
  rt: RuntimeIdentity | undefined,
  mode: RestoreCgroupRootMode = 'auto',
): ApplicableBug[] {
  if (!rt?.parsed) return [];
  const needs = needsFor(rt.parsed);
  const label = `${rt.name} ${rt.version ?? ''}`.trim();
  const forced: ApplicableBug[] =
    mode === 'always' && !needs.restoreCgroupRoot
      ? [
          {
            id: 'restore-cgroup-root-forced',
            severity: 'info',
            summary: `restoreCgroupRoot is "always": every restore gives CRIU the new container's cgroup, although ${label} is not known to need it`,
            advice:
              'meant for a lower runtime whose version hides the restore bug (a patched build); otherwise set "auto"',
          },
        ]
      : [];
  // needs.ts lists the restore placement bug first for the runtimes that have it.
  const known = needs.knownIssues.map((issue, i): ApplicableBug =>
    needs.restoreCgroupRoot && i === 0
      ? {
          id: `${rt.name}-restore-placement`,
          severity: 'warning',
          summary: `${label} ${issue}`,
          advice:
            mode === 'never'
              ? NEVER_ADVICE
              : 'run containers through cgherd: it gives CRIU the new cgroup on restore and herds the tree ' +
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
  return [...known, ...forced];
}
