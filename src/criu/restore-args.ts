// Where a `restore` call's bundle and image are, the way crun resolves them: the bundle
// defaults to the working directory, and crun chdirs into the bundle before it uses a
// relative --image-path (default "checkpoint").

import { isAbsolute, resolve } from 'node:path';
import { optionValue, type ParsedArgv } from '../runtime/argv.js';

export function restoreBundle(parsed: ParsedArgv, cwd: string): string {
  const bundle = optionValue(parsed, 'bundle');
  return bundle === undefined ? cwd : resolve(cwd, bundle);
}

export function restoreImagePath(parsed: ParsedArgv, cwd: string): string {
  const image = optionValue(parsed, 'image-path') ?? 'checkpoint';
  return isAbsolute(image) ? image : resolve(restoreBundle(parsed, cwd), image);
}
