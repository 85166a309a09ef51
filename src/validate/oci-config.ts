// Validates an OCI runtime config (config.json) against the official runtime-spec 1.2.0
// schemas, through validator code generated at build time (tools/gen-validators.mjs): no
// schema is compiled on the runtime path.
//
// Two validators come from the same schemas and settings: the full one lists every error
// (`cgherd validate`, and the refusal message), the pass one only says valid or not. The
// runtime path (checkOciConfigFile) runs the pass one and loads the full one only for a
// file it refuses, so that a valid config never pays for the full one (whose source is not
// even read). test/unit/validate-pass.test.ts holds them to the same verdicts.
//
// Integers beyond 2^53 (the spec's uint64/int64 limits) are read as JavaScript numbers,
// rounded to the nearest double, and compared with bounds that are rounded the same way,
// so 18446744073709551615 is accepted. The file itself is never rewritten.

import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { loadCompiledFile, loadCompiledScript } from '../trust/compiled-script.js';
// A type import, but it also makes tsc emit the CommonJS file (the include globs are *.ts).
import type * as FullSource from './generated/oci-config-full.cjs';
import { SOURCE_SHA256 as PASS_SHA256 } from './generated/oci-config-pass.js';
import {
  runValidator,
  type CompiledValidator,
  type IssueList,
  type ValidationIssue,
} from './issues.js';
import { readJsonFile } from './read-json.js';

export type { IssueList, ValidationIssue } from './issues.js';

export type ValidationOutcome =
  | { ok: true; file: string }
  | {
      ok: false;
      file: string;
      /** unreadable: no usable file; syntax: not JSON; duplicate: JSON with a key twice in
       *  one object (no single meaning); schema: JSON that breaks the spec as amended. */
      kind: 'unreadable' | 'syntax' | 'duplicate' | 'schema';
      issues: ValidationIssue[];
      /** Further schema errors not listed in `issues`. */
      omitted: number;
    };

const generated = (name: string): string =>
  fileURLToPath(new URL(`./generated/${name}`, import.meta.url));

let fullValidator: unknown;
let passValidator: CompiledValidator | undefined;

/**
 * Loaded on first use: importing this module alone compiles nothing. Its source is
 * CommonJS so that the synchronous `cgherd validate` path can load it on demand.
 */
function ociValidator(): unknown {
  if (fullValidator === undefined) {
    const file = generated('oci-config-full.cjs');
    const { SOURCE, SOURCE_SHA256 } = createRequire(import.meta.url)(file) as typeof FullSource;
    fullValidator = loadCompiledScript(
      SOURCE,
      file,
      generated(`oci-config-full.${SOURCE_SHA256.slice(0, 16)}.v8cache`),
    );
  }
  return fullValidator;
}

/**
 * The pass validator's source is written to dist/ by the generator, not emitted by tsc;
 * where it is missing (tsc run without `make validators`) the full validator decides.
 */
function ociPassValidator(): CompiledValidator {
  if (passValidator === undefined) {
    const stem = `oci-config-pass.${PASS_SHA256.slice(0, 16)}`;
    const loaded = loadCompiledFile(generated(`${stem}.source.js`), generated(`${stem}.v8cache`));
    passValidator = (loaded ?? ociValidator()) as CompiledValidator;
  }
  return passValidator;
}

export function validateOciConfigData(data: unknown): IssueList {
  return runValidator(ociValidator(), data);
}

/** Valid or not, by the pass validator: the same verdict as validateOciConfigData. */
export function ociConfigDataPasses(data: unknown): boolean {
  return ociPassValidator()(data);
}

/** Every problem of the file, by the full validator. */
export function validateOciConfigFile(path: string): ValidationOutcome {
  return validateFile(path, false);
}

/**
 * The same outcome as validateOciConfigFile, for the runtime path: the pass validator
 * first, the full one only to describe a file the pass validator refuses. `readText`: the
 * call's one read of the file (call/call-context.ts).
 */
export function checkOciConfigFile(path: string, readText?: () => string): ValidationOutcome {
  return validateFile(path, true, readText);
}

function validateFile(
  path: string,
  passFirst: boolean,
  readText?: () => string,
): ValidationOutcome {
  const read = readJsonFile(path, readText);
  if (!read.ok) {
    const issues: ValidationIssue[] =
      read.kind === 'duplicate'
        ? [{ pointer: read.pointer, message: read.message, amendment: read.amendment }]
        : [{ pointer: '', message: read.message }];
    return { ok: false, file: path, kind: read.kind, issues, omitted: 0 };
  }
  if (passFirst && ociConfigDataPasses(read.data)) return { ok: true, file: path };
  const { issues, omitted } = validateOciConfigData(read.data);
  if (issues.length === 0) return { ok: true, file: path };
  return { ok: false, file: path, kind: 'schema', issues, omitted };
}
