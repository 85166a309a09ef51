// What one step of the demo saw, and whether a failure is the bug the demo is about. Pure:
// the demo feeds it the runtime's result and CRIU's log, and prints what it returns.
//
// The bug shows itself in exactly one way: the checkpoint that follows a restore fails
// with CRIU's "Unseizable non-zombie". Anything else (a first checkpoint that fails, a
// timeout, a failed restore) is a broken demo, not the control, and must be named as such.

export type StepKind = 'run' | 'first checkpoint' | 'restore' | 'checkpoint after restore';

export interface StepResult {
  code: number;
  stderr: string;
  /** The runner killed the call after timeoutSeconds. */
  timedOut?: boolean;
}

export interface StepOutcome {
  ok: boolean;
  /** One line: CRIU's reason, "timed out after N s", or the runtime's stderr. */
  cause?: string;
  /** True only for the bug: Unseizable at the checkpoint after a restore. */
  isBug: boolean;
}

const UNSEIZABLE = /Unseizable non-zombie/;

function firstLine(text: string): string {
  return (
    text
      .split('\n')
      .map((l) => l.trim())
      .find((l) => l.length > 0) ?? ''
  );
}

/** Classifies one step. `criuLog` is dump.log or restore.log ('' when unreadable). */
export function classifyStep(
  kind: StepKind,
  result: StepResult,
  criuLog: string,
  timeoutSeconds: number,
): StepOutcome {
  if (result.code === 0 && !result.timedOut) return { ok: true, isBug: false };
  if (result.timedOut) {
    const last = criuLog
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .at(-1);
    return {
      ok: false,
      isBug: false,
      cause:
        `timed out after ${timeoutSeconds} s` +
        (last ? `; CRIU's log stops at: ${last}` : '; CRIU wrote no log') +
        ' (on a host without hardware breakpoints CRIU < 4.2 hangs in every dump: run cgherd doctor)',
    };
  }
  const unseizable = criuLog.split('\n').find((l) => UNSEIZABLE.test(l));
  const criuError = criuLog.split('\n').find((l) => /(^|\) )Error \(/.test(l.trim()));
  const cause =
    unseizable?.trim() ??
    criuError?.trim() ??
    (firstLine(result.stderr) || `exit status ${result.code}`);
  return {
    ok: false,
    isBug: kind === 'checkpoint after restore' && unseizable !== undefined,
    cause,
  };
}

/** How a whole run of cycles went, for the closing lines. */
export interface CyclesReport {
  /** Restores followed by a successful checkpoint. */
  passedCycles: number;
  /** The step that failed, if any. */
  failed?: { kind: StepKind; outcome: StepOutcome };
}

/** The closing line for crun alone: the control counts only if the bug itself was seen. */
export function controlLine(report: CyclesReport): { shown: boolean; text: string } {
  const f = report.failed;
  if (f === undefined) {
    return { shown: false, text: 'UNEXPECTED: every checkpoint passed; the bug did not show' };
  }
  if (f.outcome.isBug) {
    return {
      shown: true,
      text: 'the checkpoint after the restore failed with "Unseizable non-zombie", as the bug predicts',
    };
  }
  return {
    shown: false,
    text: `NOT SHOWN: the ${f.kind} failed (${f.outcome.cause ?? 'no reason'}), which is not the bug`,
  };
}

/** The closing line with cgherd: all cycles, or the step that failed and why. */
export function fixLine(report: CyclesReport, cycles: number): { passed: boolean; text: string } {
  if (report.failed === undefined && report.passedCycles === cycles) {
    return { passed: true, text: `${cycles} cycles, every checkpoint passed` };
  }
  const f = report.failed;
  return {
    passed: false,
    text: `FAILED after ${report.passedCycles} of ${cycles} cycles${f ? `: the ${f.kind} failed (${f.outcome.cause ?? 'no reason'})` : ''}`,
  };
}
