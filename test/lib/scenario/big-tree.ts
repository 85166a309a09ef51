// A bundle whose init has `size - 1` children (busybox sleeps, the last one its own loop's):
// a tree of `size`.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Scenario } from './scenario.js';

export function bigTreeArgs(size: number): string[] {
  const init =
    'exec </dev/null >/dev/null 2>&1\n' +
    `i=2; while [ $i -lt ${size} ]; do sleep 100000 & i=$((i + 1)); done\n` +
    'while :; do sleep 100001; done';
  return ['/bin/sh', '-c', init, 'init'];
}

export async function bigTreeBundle(sc: Scenario, name: string, size: number): Promise<string> {
  const dir = await sc.bundle(name, { tree: 'tree8' });
  const file = join(dir, 'config.json');
  const config = JSON.parse(readFileSync(file, 'utf8')) as { process: { args: string[] } };
  config.process.args = bigTreeArgs(size);
  writeFileSync(file, JSON.stringify(config, null, 2));
  return dir;
}
