// Validates the parsed /etc/cgherd/config.json against schemas/cgherd-config.schema.json
// (generated standalone code, so loading settings compiles nothing).

import { validateCgherdConfig as generated } from './generated/cgherd-config.js';
import { runValidator, type ValidationIssue } from './issues.js';

/** Empty when valid; the file is tiny, so every issue is listed. */
export function validateCgherdConfig(data: unknown): ValidationIssue[] {
  return runValidator(generated, data, Number.POSITIVE_INFINITY).issues.map(
    ({ pointer, message }) => ({ pointer, message }),
  );
}
