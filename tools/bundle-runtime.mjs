// Bundles the runtime face (dist/src/runtime/main.js and everything it imports, hooks
// included) into one file, dist/src/cgherd-runtime.cjs, which bin/cgherd runs for the
// intercepted commands. Loading one file instead of some forty small ESM modules is most
// of what keeps an intercepted call close to `node -e 0` (see `make bench`).
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

await build({
  ...common,
  entryPoints: ['dist/src/runtime/main.js'],
  outfile: 'dist/src/cgherd-runtime.cjs',
  plugins: [keepValidatorLazy],
});

await build({
  ...common,
  entryPoints: ['dist/src/validate/oci-config.js'],
  outfile: 'dist/src/validate/oci-config.bundle.cjs',
});
