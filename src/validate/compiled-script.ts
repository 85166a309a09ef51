// Loads generated CommonJS validator code through vm.Script with a V8 code cache built at
// build time (tools/gen-validators.mjs). Compiling a 120-200 kB OCI validator from scratch
// costs about 10 ms on every `create`; with the cache it is about one. The cache is only
// an optimisation: a missing one, or one V8 rejects (another Node version or flags), means
// compiling as usual, with the same result.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import vm from 'node:vm';

type Factory = (module: { exports: unknown }, exports: unknown, require: NodeJS.Require) => void;

/**
 * `require` for the generated code, made on its first call: the OCI validators require
 * nothing, and createRequire alone costs about a millisecond.
 */
function lazyRequire(filename: string): NodeJS.Require {
  let real: NodeJS.Require | undefined;
  const lazy = ((id: string): unknown => {
    real ??= createRequire(filename);
    return real(id);
  }) as NodeJS.Require;
  return lazy;
}

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
  factory(module, module.exports, lazyRequire(filename));
  return module.exports;
}

/** The same, with the source in a file; undefined when that file cannot be read. */
export function loadCompiledFile(sourceFile: string, cacheFile: string): unknown {
  let source: string;
  try {
    source = readFileSync(sourceFile, 'utf8');
  } catch {
    return undefined;
  }
  return loadCompiledScript(source, sourceFile, cacheFile);
}
