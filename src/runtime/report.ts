// cgherd's own error and warning records. One record per call at most, on stderr and,
// when the caller gave --log, in that file in crun's format: Podman reads the whole log
// file as a single JSON object, so a second line there would break its error message.
// Writes are synchronous on the raw descriptor: opening process.stderr could switch a
// pipe shared with the container to non-blocking mode.

import {
  appendFileSync,
  closeSync,
  openSync,
  readSync,
  statSync,
  truncateSync,
  writeSync,
} from 'node:fs';
import { printable } from '../proc/printable.js';
import type { GlobalOptions } from '../lower/options.js';

export type RecordLevel = 'error' | 'warning';

export function formatJsonRecord(level: RecordLevel, message: string, time: Date): string {
  return `${JSON.stringify({ msg: `cgherd: ${message}`, level, time: time.toISOString() })}\n`;
}

export function formatTextRecord(level: RecordLevel, message: string, time: Date): string {
  return `${time.toISOString()} ${level}: cgherd: ${message}\n`;
}

/** The --log file's size now: where the lower runtime's records of this call will start. */
export function logMark(globals: GlobalOptions): number {
  if (globals.log === undefined || globals.log === '') return 0;
  try {
    return statSync(globals.log).size;
  } catch {
    return 0;
  }
}

/** A JSON record at the start of `line`, and what follows it: crun 1.8.1 writes its JSON
 *  record without a newline and then the same message as text. */
function leadingRecord(line: string): { msg: string; rest: string } | undefined {
  if (!line.startsWith('{')) return undefined;
  for (let i = line.indexOf('}'); i >= 0; i = line.indexOf('}', i + 1)) {
    try {
      const record = JSON.parse(line.slice(0, i + 1)) as { msg?: unknown };
      if (typeof record.msg !== 'string') return undefined;
      return { msg: record.msg, rest: line.slice(i + 1).trim() };
    } catch {
      // not the record's end yet
    }
  }
  return undefined;
}

/** Pure: the messages in what the lower runtime appended to its log (JSON records, or
 *  text lines as they are), each once. */
export function lowerMessages(appended: string): string[] {
  const out: string[] = [];
  const add = (m: string): void => {
    if (m !== '' && !out.includes(m)) out.push(m);
  };
  for (const line of appended.split('\n')) {
    const trimmed = line.trim();
    const record = leadingRecord(trimmed);
    if (record === undefined) {
      add(trimmed);
      continue;
    }
    add(record.msg);
    add(record.rest);
  }
  return out;
}

/**
 * Takes back what the lower runtime wrote to the --log file after `mark`, so that cgherd's
 * error can carry it in the one record the file may hold. Returns its messages; nothing
 * when there was nothing (or the file cannot be read back: then it is left alone).
 */
function takeLowerRecords(log: string, mark: number): string[] {
  let fd: number | undefined;
  try {
    const size = statSync(log).size;
    if (size <= mark) return [];
    const length = Math.min(size - mark, 64 * 1024);
    const buffer = Buffer.alloc(length);
    fd = openSync(log, 'r');
    const read = readSync(fd, buffer, 0, length, mark);
    const messages = lowerMessages(buffer.subarray(0, read).toString('utf8'));
    truncateSync(log, mark);
    return messages;
  } catch {
    return [];
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

export function writeRecord(
  globals: GlobalOptions,
  level: RecordLevel,
  message: string,
  /** With a mark (logMark() before the lower runtime ran): fold the lower runtime's own
   *  records of this call into this one, so the log still holds one record. */
  opts: { foldLowerFrom?: number } = {},
): void {
  // Last line of defence: a refusal or warning may quote a name the container chose.
  const oneLine = printable(message.replace(/\s*\n\s*/g, '; '));
  try {
    writeSync(2, `cgherd: ${level === 'warning' ? 'warning: ' : ''}${oneLine}\n`);
  } catch {
    // stderr closed: the log file below is all we have.
  }
  if (globals.log === undefined || globals.log === '') return;
  const now = new Date();
  const lower =
    opts.foldLowerFrom === undefined ? [] : takeLowerRecords(globals.log, opts.foldLowerFrom);
  const text =
    lower.length === 0 ? oneLine : printable(`${oneLine}; lower runtime: ${lower.join('; ')}`);
  const record =
    globals.logFormat === 'json'
      ? formatJsonRecord(level, text, now)
      : formatTextRecord(level, text, now);
  try {
    appendFileSync(globals.log, record);
  } catch {
    // An unwritable log must not turn into a second error.
  }
}
