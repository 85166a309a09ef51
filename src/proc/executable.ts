// What execvp would run: a regular file the caller may execute. Shared by the lower
// runtime's lookup and CRIU's, which sit side by side above this layer.

import { accessSync, constants, statSync } from 'node:fs';

export function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
