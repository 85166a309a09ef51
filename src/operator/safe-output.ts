// What an operator command prints may quote text a file's author chose (an OCI config's
// keys reach `cgherd validate` as JSON pointers). Such text never drives the operator's
// terminal: lines get the runtime face's visible escapes (src/proc/printable.ts), and JSON
// gets \uXXXX escapes, which JSON.stringify leaves out for C1 controls, DEL and the bidi
// and line-separator characters. The JSON still parses to the same values.

import { printable } from '../proc/printable.js';

// C0 controls are escaped by JSON.stringify inside strings; outside them they are the
// output's own layout (newlines of pretty-printing), so only the rest is matched.
const JSON_UNSAFE = /[\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** One line for people: every terminal control shown as \xNN or \uNNNN. */
export function safeLine(text: string): string {
  return printable(text);
}

/** Pretty JSON with every terminal control inside strings written as \uXXXX. */
export function safeJson(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(
    JSON_UNSAFE,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
