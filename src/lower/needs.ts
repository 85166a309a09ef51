// The one table of which lower runtime needs what from cgherd. The restore hook reads it;
// `cgherd doctor` shows it.

import { compareVersions, type RuntimeVersion } from './version.js';

/** auto: by the lower runtime's version (the table below); always, never: forced. */
export type RestoreCgroupRootMode = 'auto' | 'always' | 'never';

export const RESTORE_CGROUP_ROOT_MODES: readonly RestoreCgroupRootMode[] = [
  'auto',
  'always',
  'never',
];

export interface RuntimeNeeds {
  /**
   * Give CRIU the container's cgroup as its restore root (a per-restore CRIU_CONFIG_FILE):
   * without it CRIU restores the tree into the cgroup recorded in the image.
   */
  restoreCgroupRoot: boolean;
  /** What is known to be wrong with this runtime version, for people. */
  knownIssues: string[];
}

interface Row {
  name: string;
  /** Inclusive bounds; undefined = open. */
  from?: [number, number, number];
  to?: [number, number, number];
  needs: RuntimeNeeds;
}

const CRUN_ISSUE_1651 =
  'restores every process but the init into the cgroup recorded in the checkpoint (crun issue 1651, ' +
  'criu issue 2577): the next checkpoint fails with "Unseizable non-zombie" after a restore under a new name';
const CRUN_NAMED_HIERARCHIES =
  'CRIU runs outside the container cgroup and may re-create the container path in other cgroup ' +
  "hierarchies, copying the root's settings (crun PRs 2241, 2250, 2256, after 1.29.1)";

const CRUN_MANAGE_CGROUPS_MODE =
  'ignores --manage-cgroups-mode on restore: CRIU always runs in soft mode there ' +
  '(use the herd, not the option, to fix placement)';

const NEEDS_TABLE: readonly Row[] = [
  {
    name: 'crun',
    to: [1, 20, 99],
    needs: {
      restoreCgroupRoot: true,
      knownIssues: [CRUN_ISSUE_1651, CRUN_MANAGE_CGROUPS_MODE],
    },
  },
  {
    name: 'crun',
    from: [1, 21, 0],
    to: [1, 29, 1],
    needs: {
      restoreCgroupRoot: false,
      knownIssues: [CRUN_MANAGE_CGROUPS_MODE, CRUN_NAMED_HIERARCHIES],
    },
  },
  {
    name: 'crun',
    from: [1, 29, 2],
    needs: { restoreCgroupRoot: false, knownIssues: [] },
  },
  {
    name: 'runc',
    needs: { restoreCgroupRoot: false, knownIssues: [] },
  },
];

const UNKNOWN: RuntimeNeeds = { restoreCgroupRoot: false, knownIssues: [] };

export function needsFor(version: RuntimeVersion | undefined): RuntimeNeeds {
  if (!version) return UNKNOWN;
  for (const row of NEEDS_TABLE) {
    if (row.name !== version.name) continue;
    if (row.from && compareVersions(version.version, row.from) < 0) continue;
    if (row.to && compareVersions(version.version, row.to) > 0) continue;
    return row.needs;
  }
  return UNKNOWN;
}

/**
 * `restoreCgroupRoot` in the config (or CGHERD_RESTORE_CGROUP_ROOT) overrides the table
 * with always or never: a runtime built from patched sources may report a version the
 * table gets wrong (the test bed's "crun 1.21 without the restore cgroup root" is one).
 */
export function restoreCgroupRootWanted(
  version: RuntimeVersion | undefined | (() => RuntimeVersion | undefined),
  mode: RestoreCgroupRootMode,
): boolean {
  if (mode === 'always') return true;
  if (mode === 'never') return false;
  // Probed only when needed: `--version` is a process start.
  return needsFor(typeof version === 'function' ? version() : version).restoreCgroupRoot;
}
