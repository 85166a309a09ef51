// What bin/cgherd starts for the intercepted commands (bundled as dist/src/cgherd-runtime
// .cjs): it loads the runtime face (src/runtime/main.ts, bundled by tools/bundle-runtime
// .mjs into one source file) through a V8 code cache made at build time. Compiling the
// face's 160 kB from scratch, with the functions a create runs, was the largest share of
// cgherd's own start-up after Node's (see docs/measured-facts.md). The face's source and
// cache are checked like the validators' (compiled-script.ts): owner, mode, and a cache
// name that carries the sha256 of the source actually loaded.

// First: nothing before it may leave a window where SIGUSR1 opens the inspector.
import './inspector-guard.js';
import { writeSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadCompiledFile } from '../trust/compiled-script.js';

/** Set by tools/bundle-runtime.mjs: the face's file stem, `cgherd-runtime.<sha256/16>`. */
declare const RUNTIME_FACE_STEM: string;

const inDist = (name: string): string => fileURLToPath(new URL(`./${name}`, import.meta.url));

try {
  const source = inDist(`${RUNTIME_FACE_STEM}.source.js`);
  // The face runs on loading: main() starts and ends the process.
  if (loadCompiledFile(source, inDist(`${RUNTIME_FACE_STEM}.v8cache`)) === undefined) {
    throw new Error(`cannot read ${source}: is cgherd built (make build) or installed?`);
  }
} catch (error) {
  writeSync(2, `cgherd: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
