// Which file the lower runtime will read as the OCI config, decided the way crun does
// (create.c/run.c/restore.c): `-f/--config FILE` is resolved against the current
// directory, except the literal "config.json", which crun opens after changing into the
// bundle; otherwise `<bundle>/config.json`, the bundle defaulting to the current directory.
// restore takes no --config.

import { resolve } from 'node:path';

export function ociConfigPathFor(
  options: { config?: string | undefined; bundle?: string | undefined },
  cwd: string,
): string {
  const bundle = resolve(cwd, options.bundle ?? '.');
  const config = options.config;
  if (config === undefined || config === 'config.json') return resolve(bundle, 'config.json');
  return resolve(cwd, config);
}
