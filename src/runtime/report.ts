// cgherd's own error and warning records. One record per call at most, on stderr and,
// when the caller gave --log, in that file in crun's format: Podman reads the whole log
// file as a single JSON object, so a second line there would break its error message.
// Writes are synchronous on the raw descriptor: opening process.stderr could switch a
// pipe shared with the container to non-blocking mode.

import { appendFileSync, writeSync } from 'node:fs';
import { printable } from '../proc/printable.js';
import type { GlobalOptions } from './argv.js';

export type RecordLevel = 'error' | 'warning';

export function formatJsonRecord(level: RecordLevel, message: string, time: Date): string {
  return `${JSON.stringify({ msg: `cgherd: ${message}`, level, time: time.toISOString() })}\n`;
}

export function formatTextRecord(level: RecordLevel, message: string, time: Date): string {
  return `${time.toISOString()} ${level}: cgherd: ${message}\n`;
}

export function writeRecord(globals: GlobalOptions, level: RecordLevel, message: string): void {
  // Last line of defence: a refusal or warning may quote a name the container chose.
  const oneLine = printable(message.replace(/\s*\n\s*/g, '; '));
  try {
    writeSync(2, `cgherd: ${level === 'warning' ? 'warning: ' : ''}${oneLine}\n`);
  } catch {
    // stderr closed: the log file below is all we have.
  }
  if (globals.log === undefined || globals.log === '') return;
  const now = new Date();
  const record =
    globals.logFormat === 'json'
      ? formatJsonRecord(level, oneLine, now)
      : formatTextRecord(level, oneLine, now);
  try {
    appendFileSync(globals.log, record);
  } catch {
    // An unwritable log must not turn into a second error.
  }
}
