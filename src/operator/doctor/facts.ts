// The doctor's shared types: what the probes saw (facts) and what the judgement says
// (findings). A leaf: the probes, the findings and each check import it, and it imports
// only types, so no loop runs through the doctor's files.

import type { RestoreCgroupRootMode } from '../../config/settings.js';
import type { EngineScan } from '../../engines/engine-scan.js';
import type { EngineView } from '../../engines/podman-conf.js';
import type { RuntimeIdentity } from '../../lower/version.js';
import type { ExitCode } from '../exit.js';
import type { CgroupLayout } from './cgroup-layout.js';

export type Severity = 'ok' | 'info' | 'warning' | 'error';

export interface Finding {
  id: string;
  severity: Severity;
  summary: string;
  advice: string;
  /** For errors: the exit status they stand for (1 unless a config could not be read). */
  exitCode?: ExitCode;
}

/** A known lower-runtime bug that applies to the version in use (from src/lower/needs.ts). */
export interface ApplicableBug {
  id: string;
  summary: string;
  advice: string;
  /** warning: cgherd works around it; error: a checkpoint cannot work even with cgherd. */
  severity: 'info' | 'warning' | 'error';
}

export interface CriuFacts {
  path: string | undefined;
  version: string | undefined;
  /** `criu check`: ok, plus its last line of output. */
  check: { ok: boolean; detail: string } | undefined;
}

export interface RuntimeFacts {
  path: string | undefined;
  /** Where the path came from, or why there is none. */
  source: string;
  configError: string | undefined;
  identity: RuntimeIdentity | undefined;
  /** The configured restoreCgroupRoot (undefined when the configuration is broken). */
  restoreCgroupRoot?: RestoreCgroupRootMode;
}

export interface PodmanFacts {
  path: string | undefined;
  version: string | undefined;
  overridden: boolean;
  files: string[];
  view: EngineView | undefined;
  /** Reading the configuration failed (unreadable file or directory). */
  error: { message: string; exitCode: number } | undefined;
  /** cgherd's registered path exists and is executable. */
  registeredPathOk: boolean | undefined;
  /** Podman runtime names other than cgherd that run cgherd (`install podman --as`). */
  takeovers?: TakeoverFact[];
}

export interface TakeoverFact {
  /** Podman's runtime name that runs cgherd. */
  name: string;
  /** The path Podman resolves it to, and the file that says so. */
  path: string;
  from: string;
  /** The lower runtime cgherd forwards to under Podman (which passes it no environment). */
  lower: string | undefined;
  lowerSource: string;
  lowerOk: boolean;
  lowerIsCgherd: boolean;
}

export interface DoctorFacts {
  criu: CriuFacts;
  runtime: RuntimeFacts;
  cgroups: CgroupLayout;
  podman: PodmanFacts;
  bugs: ApplicableBug[];
  /** containerd's and CRI-O's runtimes; absent when not probed. */
  engines?: EngineScan;
}
