// Text and JSON output shared by the operator commands.

import type { Finding, Severity } from './doctor-findings.js';

const MARK: Readonly<Record<Severity, string>> = {
  ok: 'ok',
  info: 'info',
  warning: 'WARN',
  error: 'ERROR',
};

export function findingLines(findings: readonly Finding[]): string[] {
  const width = Math.max(...Object.values(MARK).map((m) => m.length)) + 2;
  const lines: string[] = [];
  for (const f of findings) {
    lines.push(`${`[${MARK[f.severity]}]`.padEnd(width + 1)}${f.summary}`);
    if (f.severity !== 'ok') lines.push(`${' '.repeat(width + 1)}-> ${f.advice}`);
  }
  return lines;
}

export function json(value: unknown): string {
  return JSON.stringify(value, null, 2);
}
