// Loads generated CommonJS code through vm.Script with a V8 code cache built at build time:
// the OCI validators (tools/gen-validators.mjs) and the runtime face itself
// (tools/bundle-runtime.mjs, loaded by src/runtime/boot.ts). Compiling a 120-200 kB OCI
// validator from scratch costs about 10 ms on every `create`; with the cache it is about
// one. The cache is only
// an optimisation: a missing one, or one V8 rejects (another Node version or flags), means
// compiling as usual, with the same result.

import { closeSync, fstatSync, openSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { createRequire } from 'node:module';
import vm from 'node:vm';
import {
  BOOT_CODE_CACHE_DIR,
  bootCachePath,
  readBootCache,
  writeBootCache,
} from './boot-code-cache.js';
import { fdUntrustedBecause, OWNER_ADVICE } from './owner.js';
import { fileIdentity, recordVerified, verifiedSha256 } from './verified-sources.js';

type Factory = (
  module: { exports: unknown },
  exports: unknown,
  require: NodeJS.Require,
  filename: string,
) => void;

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
 * node:crypto loaded on first use: it costs about 3 ms, and a source file hashed earlier
 * in the boot is not hashed again (verified-sources.ts).
 */
function sha256(text: string): string {
  const crypto = createRequire(import.meta.url)('node:crypto') as typeof import('node:crypto');
  return crypto.createHash('sha256').update(text).digest('hex');
}

/** Whether `cacheFile`'s name carries `sha256`, the source's (see readBuildCache). */
function namedFor(sha256: string, cacheFile: string): boolean {
  return basename(cacheFile).includes(`.${sha256.slice(0, 16)}.`);
}

/**
 * The build's cache, or undefined when there is none. V8 checks only a source's length
 * against its cache, and a cache holds code that runs: the file's name carries the sha256
 * of the source it was made from (tools/gen-validators.mjs, tools/bundle-runtime.mjs), and
 * it is used only when that matches the source actually loaded (namedFor). Root runs it,
 * so one that another user can change is refused, like the rest of dist/.
 */
function readBuildCache(cacheFile: string): Buffer | undefined {
  let fd: number;
  try {
    fd = openSync(cacheFile, 'r');
  } catch {
    return undefined;
  }
  try {
    const untrusted = fdUntrustedBecause(cacheFile, fd);
    if (untrusted !== undefined) {
      throw new Error(`refusing the V8 code cache: ${untrusted}; ${OWNER_ADVICE}`);
    }
    return readFileSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * `source` is `(function (module, exports, require, __filename) {...})` (the last two
 * may be left out); `cacheFile` is named by the source's sha256 (see readBuildCache). A
 * cache this Node made earlier in the boot comes first (boot-code-cache.ts); when there is
 * none and the build's is missing or V8 rejects it (made by another Node), this process
 * leaves one on exit, with every function compiled by then. `bootDir`: tests only.
 */
export function loadCompiledScript(
  source: string,
  filename: string,
  cacheFile: string,
  bootDir = BOOT_CODE_CACHE_DIR,
  /** The source's sha256, when known without hashing it. */
  knownSha256?: string,
): unknown {
  const named = namedFor(knownSha256 ?? sha256(source), cacheFile);
  const bootFile = bootCachePath(cacheFile, bootDir);
  const cachedData = named
    ? (readBootCache(bootFile, bootDir) ?? readBuildCache(cacheFile))
    : undefined;
  const script = new vm.Script(source, { filename, cachedData });
  if (named && (cachedData === undefined || script.cachedDataRejected === true)) {
    process.once('exit', () => writeBootCache(bootFile, script.createCachedData(), bootDir));
  }
  const factory = script.runInThisContext() as Factory;
  const module = { exports: {} as unknown };
  factory(module, module.exports, lazyRequire(filename), filename);
  return module.exports;
}

/**
 * The same, with the source in a file; undefined when that file cannot be read. The check
 * is made on the descriptor the source is read from: what is checked is what runs.
 */
export function loadCompiledFile(
  sourceFile: string,
  cacheFile: string,
  bootDir = BOOT_CODE_CACHE_DIR,
): unknown {
  let fd: number;
  try {
    fd = openSync(sourceFile, 'r');
  } catch {
    return undefined;
  }
  let source: string;
  let identity: string;
  try {
    const untrusted = fdUntrustedBecause(sourceFile, fd);
    if (untrusted !== undefined) {
      throw new Error(`refusing to load ${sourceFile}: ${untrusted}; ${OWNER_ADVICE}`);
    }
    identity = fileIdentity(fstatSync(fd, { bigint: true }));
    source = readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
  let known = verifiedSha256(sourceFile, identity, bootDir);
  if (known === undefined) {
    known = sha256(source);
    if (namedFor(known, cacheFile)) recordVerified(sourceFile, identity, known, bootDir);
  }
  return loadCompiledScript(source, sourceFile, cacheFile, bootDir, known);
}
