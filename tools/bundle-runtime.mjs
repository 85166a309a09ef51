// Bundles the runtime face (dist/src/runtime/main.js and everything it imports, hooks
// included) into one source, dist/src/cgherd-runtime.<sha256/16>.source.js, with a V8
// code cache beside it (tools/face-code-cache.mjs). bin/cgherd runs, for the intercepted
// commands, dist/src/cgherd-runtime.cjs: a small loader (src/runtime/boot.ts) that checks
// both and compiles the face with the cache. Loading one file instead of some forty small
// ESM modules, and not compiling it, is most of what keeps an intercepted call close to
// `node -e 0` (see `make bench`).
//
// The bundles are CommonJS: Node 20 loads one CommonJS file about 15 ms sooner than the
// same code as an ES module (measured side by side against `node -e 0`: 1.06 against
// 1.25), because the ES module loader is never started. `import.meta.url` becomes the
// bundle's own file URL, and dynamic imports become `require`.
//
// Kept out of the bundle, so that they load only when used:
//   - packages from node_modules (`debug`, loaded only when debugging);
//   - the OCI config validator, loaded only when a config is validated. It is a bundle of
//     its own, dist/src/validate/oci-config.bundle.cjs, next to the generated code and V8
//     code caches that it finds through import.meta.url.
// The runtime bundle sits in dist/src/, so paths that modules there compute from
// import.meta.url (../../package.json for the version) stay right.

import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import process from 'node:process';
import { build } from 'esbuild';

const keepValidatorLazy = {
  name: 'keep-validator-lazy',
  setup(b) {
    b.onResolve({ filter: /\/validate\/oci-config\.js$/ }, () => ({
      path: './validate/oci-config.bundle.cjs',
      external: true,
    }));
  },
};

const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node18',
  packages: 'external',
  logLevel: 'warning',
  // `import()` kept as is would start the ES module loader after all.
  supported: { 'dynamic-import': false },
  define: { 'import.meta.url': '__bundleUrl' },
  banner: { js: "const __bundleUrl = require('node:url').pathToFileURL(__filename).href;" },
};

// First: the face's warm-up below loads it.
await build({
  ...common,
  entryPoints: ['dist/src/validate/oci-config.js'],
  outfile: 'dist/src/validate/oci-config.bundle.cjs',
});

// The face as a function of the CommonJS names its code uses, for vm.Script
// (src/trust/compiled-script.ts), named by its sha256 like the validators' sources.
const face = await build({
  ...common,
  entryPoints: ['dist/src/runtime/main.js'],
  outfile: 'dist/src/cgherd-runtime.source.js',
  write: false,
  plugins: [keepValidatorLazy],
});
const faceSource = `(function (module, exports, require, __filename) {\n${face.outputFiles[0].text}\n})`;
const stem = `cgherd-runtime.${createHash('sha256').update(faceSource).digest('hex').slice(0, 16)}`;
writeFileSync(`dist/src/${stem}.source.js`, faceSource, { mode: 0o644 });
const made = spawnSync(
  process.execPath,
  ['tools/face-code-cache.mjs', `dist/src/${stem}.source.js`, `dist/src/${stem}.v8cache`],
  { stdio: 'inherit' },
);
if (made.status !== 0) throw new Error('tools/face-code-cache.mjs failed');

await build({
  ...common,
  entryPoints: ['dist/src/runtime/boot.js'],
  outfile: 'dist/src/cgherd-runtime.cjs',
  define: { ...common.define, RUNTIME_FACE_STEM: JSON.stringify(stem) },
});
