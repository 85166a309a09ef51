// A cgherd config file of a test's own (herd on or off, restore root mode), in a temp dir
// the test removes. The file is the only way to turn the herd off: no variable does.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface CgherdConfig {
  herd?: boolean;
  restoreCgroupRoot?: 'auto' | 'always' | 'never';
  validate?: 'enforce' | 'warn' | 'off';
}

/** Writes config.json into a new /tmp/<prefix>conf-XXXXXX dir; returns its path. The
 *  prefix's cleanupPrefix removes it. */
export function writeCgherdConfig(prefix: string, config: CgherdConfig): string {
  const dir = mkdtempSync(join('/tmp', `${prefix}conf-`));
  const file = join(dir, 'config.json');
  writeFileSync(file, `${JSON.stringify(config)}\n`);
  return file;
}
