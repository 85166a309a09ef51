// Loads generated CommonJS validator code through vm.Script with a V8 code cache built at
// build time (tools/gen-validators.mjs). Compiling the 200 kB OCI validator from scratch
// costs about 10 ms on every `create`; with the cache it is a few. The cache is only an
// optimisation: a missing one, or one V8 rejects (another Node version or flags), means
// compiling as usual, with the same result.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import vm from 'node:vm';

type Factory = (module: { exports: unknown }, exports: unknown, require: NodeJS.Require) => void;

/**
 * `source` is `(function (module, exports, require) {...})`; `cacheFile` is named by the
 * source's sha256, because V8 checks only a source's length against its cache.
 */
export function loadCompiledScript(source: string, filename: string, cacheFile: string): unknown {
  let cachedData: Buffer | undefined;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  const script = new vm.Script(source, { filename, cachedData });
  const factory = script.runInThisContext() as Factory;
  const module = { exports: {} as unknown };
  factory(module, module.exports, createRequire(filename));
  return module.exports;
}
