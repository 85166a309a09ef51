// `cgherd doctor` on hardware breakpoints: does this host deliver them, and what does
// that mean for the CRIU in use? Pure; the probe is breakpoints-probe.ts.

import type { BreakpointAnswer } from '../../criu/breakpoint-check.js';
import { predatesBreakpointCheck, versionFromText } from '../../criu/criu-binary.js';
import type { Finding } from './facts.js';

export interface BreakpointFacts {
  criuPath: string | undefined;
  answer: BreakpointAnswer | undefined;
}

function when(answer: BreakpointAnswer): string {
  const r = answer.record;
  if (r === undefined) return '';
  return answer.source === 'cache'
    ? ` (probe cached for this boot, ${r.probedAt}: ${r.detail})`
    : ` (probed now: ${r.detail})`;
}

function verdictFinding(answer: BreakpointAnswer): Finding {
  const r = answer.record;
  if (r === undefined) {
    return {
      id: 'breakpoints',
      severity: 'info',
      summary: `hardware breakpoints: not probed (${answer.none ?? 'no CRIU'})`,
      advice: 'nothing to do',
    };
  }
  const criu = `CRIU ${r.criuVersion ?? '(unknown version)'} at ${r.criuPath}`;
  if (r.verdict === 'delivered') {
    return {
      id: 'breakpoints',
      severity: 'ok',
      summary: `this host delivers hardware breakpoints to ${criu}${when(answer)}`,
      advice: 'nothing to do',
    };
  }
  if (r.verdict === 'dump-fails') {
    return {
      id: 'breakpoints',
      severity: 'warning',
      summary: `a probe dump of a plain process with ${criu} failed${when(answer)}`,
      advice:
        'try `criu dump -t PID -D DIR -v4 -o dump.log` of a `setsid sleep` by hand and read dump.log; ' +
        'checkpoints through any runtime will fail the same way',
    };
  }
  if (!predatesBreakpointCheck(versionFromText(r.criuVersion))) {
    return {
      id: 'breakpoints',
      severity: 'ok',
      summary:
        `this host does not deliver hardware breakpoints; ${criu} detects that itself ` +
        `(CRIU 4.2 and later)${when(answer)}`,
      advice: 'nothing to do: the host is handled by CRIU itself',
    };
  }
  return {
    id: 'breakpoints',
    severity: 'warning',
    summary:
      `this host does not deliver hardware breakpoints; CRIU < 4.2 hangs in every dump ` +
      `(${criu})${when(answer)}`,
    advice:
      'upgrade CRIU to 4.2 or later, which detects such hosts itself; meanwhile cgherd hands ' +
      'CRIU the no-breakpoint switch (CRIU_FAULT=130) on every checkpoint and restore, but ' +
      'bare crun or Podman without cgherd still hang',
  };
}

export function breakpointFindings(facts: BreakpointFacts): Finding[] {
  if (facts.criuPath === undefined || facts.answer === undefined) return [];
  const out = [verdictFinding(facts.answer)];
  const { cacheNote, writeNote } = facts.answer;
  if (writeNote !== undefined) {
    out.push({
      id: 'breakpoints-cache',
      severity: 'warning',
      summary: `breakpoint probe not cached: ${writeNote}`,
      advice:
        'make /run/cgherd a directory owned by root and writable by root alone; until then ' +
        'each checkpoint and restore probes again',
    });
  } else if (cacheNote !== undefined) {
    out.push({
      id: 'breakpoints-cache',
      severity: 'info',
      summary: `breakpoint probe cache not used: ${cacheNote}`,
      advice: 'nothing to do: cgherd probed again and cached the new answer',
    });
  }
  return out;
}
