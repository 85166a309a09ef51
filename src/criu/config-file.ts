// The per-restore CRIU config file on disk: written (0600, in a directory only root
// reads) before the restore, named to the lower runtime through CRIU_CONFIG_FILE, and
// removed after it. Its text is config.ts's.

import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { criuConfigText } from './config.js';

const CRIU_CONFIG_DIR = '/run/cgherd/criu';

/** Writes the file and returns its path. The caller's own file, if any, is carried over. */
export function writeRestoreConfig(
  id: string,
  lines: readonly string[],
  callerConfig: string | undefined,
): string {
  const carried = callerConfig ? readFileSync(callerConfig, 'utf8') : undefined;
  mkdirSync(CRIU_CONFIG_DIR, { recursive: true, mode: 0o700 });
  const file = join(CRIU_CONFIG_DIR, `restore-${id.replace(/[^\w.-]/g, '_')}-${process.pid}.conf`);
  writeFileSync(file, criuConfigText(lines, carried), { mode: 0o600 });
  return file;
}

export function removeRestoreConfig(file: string): void {
  rmSync(file, { force: true });
}
