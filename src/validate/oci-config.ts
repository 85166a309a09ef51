// Validates an OCI runtime config (config.json) against the official runtime-spec 1.2.0
// schemas, through validator code generated at build time (tools/gen-validators.mjs): no
// schema is compiled on the runtime path.
//
// Integers beyond 2^53 (the spec's uint64/int64 limits) are read as JavaScript numbers,
// rounded to the nearest double, and compared with bounds that are rounded the same way,
// so 18446744073709551615 is accepted. The file itself is never rewritten.

import { fileURLToPath } from 'node:url';
import { loadCompiledScript } from './compiled-script.js';
import { SOURCE, SOURCE_SHA256 } from './generated/oci-config.js';
import { runValidator, type IssueList, type ValidationIssue } from './issues.js';
import { readJsonFile } from './read-json.js';

export type { IssueList, ValidationIssue } from './issues.js';

export type ValidationOutcome =
  | { ok: true; file: string }
  | {
      ok: false;
      file: string;
      /** unreadable: no usable file; syntax: not JSON; schema: JSON that breaks the spec. */
      kind: 'unreadable' | 'syntax' | 'schema';
      issues: ValidationIssue[];
      /** Further schema errors not listed in `issues`. */
      omitted: number;
    };

const generated = (name: string): string =>
  fileURLToPath(new URL(`./generated/${name}`, import.meta.url));

let validator: unknown;

/** Loaded on first use: importing this module alone compiles nothing. */
function ociValidator(): unknown {
  validator ??= loadCompiledScript(
    SOURCE,
    generated('oci-config.js'),
    generated(`oci-config.${SOURCE_SHA256.slice(0, 16)}.v8cache`),
  );
  return validator;
}

export function validateOciConfigData(data: unknown): IssueList {
  return runValidator(ociValidator(), data);
}

export function validateOciConfigFile(path: string): ValidationOutcome {
  const read = readJsonFile(path);
  if (!read.ok) {
    const issues = [{ pointer: '', message: read.message }];
    return { ok: false, file: path, kind: read.kind, issues, omitted: 0 };
  }
  const { issues, omitted } = validateOciConfigData(read.data);
  if (issues.length === 0) return { ok: true, file: path };
  return { ok: false, file: path, kind: 'schema', issues, omitted };
}
