// What the breakpoint probe found, and what the runtime face does about it. Pure.
//
// Some hypervisors do not deliver hardware breakpoints to guests. CRIU before 4.2 relies
// on one to stop each task after its parasite's sigreturn, and then waits forever.
// CRIU_FAULT=130 is CRIU's own fault-injection switch for "no breakpoints": it
// single-steps instead. CRIU 4.2 detects such hosts itself (criu PR 2660).

import { predatesBreakpointCheck, versionFromText } from './criu-binary.js';

export type BreakpointVerdict = 'delivered' | 'missing' | 'dump-fails';

export const BREAKPOINT_VERDICTS: readonly BreakpointVerdict[] = [
  'delivered',
  'missing',
  'dump-fails',
];

/** CRIU's fault-injection variable and the value that means "no hardware breakpoints". */
export const CRIU_FAULT = 'CRIU_FAULT';
export const NO_BREAKPOINTS_FAULT = '130';

/** One probe, as the per-boot cache stores it. */
export interface ProbeRecord {
  bootId: string;
  criuPath: string;
  /** criu-binary.ts criuStamp(): which binary was probed. */
  criuStamp: string;
  /** "4.1.1"; undefined when `criu --version` said nothing usable. */
  criuVersion: string | undefined;
  verdict: BreakpointVerdict;
  detail: string;
  /** How long the probe took, in ms. */
  ms: number;
  probedAt: string;
}

/** What the record is being used for: this boot, this CRIU binary. */
export interface ProbeKey {
  bootId: string;
  criuPath: string;
  criuStamp: string;
}

/** Why a cached record does not answer for `key`, or undefined when it does. */
export function recordMismatch(record: ProbeRecord, key: ProbeKey): string | undefined {
  if (record.bootId !== key.bootId) return `it is from another boot (${record.bootId})`;
  if (record.criuPath !== key.criuPath) return `it is about ${record.criuPath}`;
  if (record.criuStamp !== key.criuStamp) return `${key.criuPath} changed since it was probed`;
  return undefined;
}

export type SwitchDecision = { add: true; why: string } | { add: false; why: string };

/**
 * Whether the lower runtime's CRIU gets CRIU_FAULT=130. A caller's own CRIU_FAULT always
 * wins: they asked for a fault (or for none) on purpose.
 */
export function noBreakpointSwitch(
  record: Pick<ProbeRecord, 'verdict' | 'criuVersion'>,
  callerFault: string | undefined,
): SwitchDecision {
  if (callerFault !== undefined) return { add: false, why: `the caller set CRIU_FAULT` };
  if (record.verdict !== 'missing') return { add: false, why: `breakpoints: ${record.verdict}` };
  if (!predatesBreakpointCheck(versionFromText(record.criuVersion))) {
    return { add: false, why: `CRIU ${record.criuVersion} checks breakpoints itself` };
  }
  return { add: true, why: `no hardware breakpoints, CRIU ${record.criuVersion ?? '?'}` };
}
