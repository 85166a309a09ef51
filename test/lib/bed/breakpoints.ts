// The test bed's breakpoint verdict (test/env/breakpoints.sh): does this machine deliver
// hardware breakpoints, and so does CRIU 4.1.1 need CRIU_FAULT=130 to dump at all. The
// runner names the mode in its closing output, so that a run on one kind of machine is
// never mistaken for a run on the other.

import { readFileSync } from 'node:fs';
import { FIXTURES } from './bed.js';

export const VERDICT_FILE = `${FIXTURES}/breakpoints`;
export const WRAPPER_DEFAULT = '/usr/local/sbin/criu';
/** The second line of every wrapper breakpoints.sh writes: only such a file is "ours". */
export const WRAPPER_MARK = '# cgherd-testbed criu wrapper (test/env/breakpoints.sh)';

export interface Verdict {
  verdict: string;
  source: string;
  bootId?: string;
  criu?: string;
  at?: string;
  probeSeconds?: string;
  wrapper?: string;
}

/** The key=value lines of a verdict file; undefined without a `verdict=` line. */
export function parseVerdict(text: string): Verdict | undefined {
  const fields = new Map<string, string>();
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0 && !fields.has(line.slice(0, eq))) fields.set(line.slice(0, eq), line.slice(eq + 1));
  }
  const verdict = fields.get('verdict');
  if (verdict === undefined) return undefined;
  return {
    verdict,
    source: fields.get('source') ?? 'unknown',
    bootId: fields.get('boot_id'),
    criu: fields.get('criu'),
    at: fields.get('at'),
    probeSeconds: fields.get('probe_seconds'),
    wrapper: fields.get('wrapper'),
  };
}

export function isOurWrapper(text: string | undefined): boolean {
  return text !== undefined && text.split('\n')[1] === WRAPPER_MARK;
}

export interface MachineView {
  /** The verdict file's text, or undefined if there is none. */
  verdictText: string | undefined;
  /** This boot's /proc/sys/kernel/random/boot_id. */
  bootId: string;
  /** The text of the file at the wrapper's place, or undefined if there is none. */
  wrapperText: (path: string) => string | undefined;
}

/** One line: `CRIU breakpoints: …`, naming the mode and anything that contradicts it. */
export function describeBreakpointMode(m: MachineView): string {
  const v = m.verdictText === undefined ? undefined : parseVerdict(m.verdictText);
  if (v === undefined) {
    return `CRIU breakpoints: unknown (no verdict in ${VERDICT_FILE}: run make testbed)`;
  }
  const how =
    v.source === 'forced'
      ? `forced by CGHERD_TESTBED_BREAKPOINTS at ${v.at ?? '?'}`
      : `probed ${v.at ?? '?'}${v.probeSeconds ? ` in ${v.probeSeconds} s` : ''}`;
  const criu = v.criu ? `, CRIU ${v.criu}` : '';
  const warnings: string[] = [];
  if (v.bootId !== undefined && v.bootId !== m.bootId) {
    warnings.push('recorded before a reboot: run make testbed');
  }
  let mode: string;
  if (v.verdict === 'missing') {
    const wrapper = v.wrapper ?? WRAPPER_DEFAULT;
    mode = `missing: CRIU_FAULT=130 via ${wrapper}`;
    if (!isOurWrapper(m.wrapperText(wrapper))) warnings.push(`but ${wrapper} is not the wrapper`);
  } else if (v.verdict === 'delivered') {
    mode = 'delivered';
    if (m.wrapperText(WRAPPER_DEFAULT) !== undefined) {
      warnings.push(`but ${WRAPPER_DEFAULT} exists and shadows /usr/sbin/criu`);
    }
  } else {
    mode = `unknown (verdict '${v.verdict}' in ${VERDICT_FILE})`;
  }
  const tail = warnings.length > 0 ? `; ${warnings.join('; ')}` : '';
  return `CRIU breakpoints: ${mode} (${how}${criu})${tail}`;
}

function readOrUndefined(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** describeBreakpointMode for this machine. */
export function breakpointModeLine(): string {
  return describeBreakpointMode({
    verdictText: readOrUndefined(VERDICT_FILE),
    bootId: (readOrUndefined('/proc/sys/kernel/random/boot_id') ?? '').trim(),
    wrapperText: readOrUndefined,
  });
}
