// Bundles the runtime face (dist/src/runtime/main.js and everything it imports, hooks
// included) into one file, dist/src/cgherd-runtime.js, which bin/cgherd runs for the
// intercepted commands. Loading one file instead of some forty small ESM modules is most
// of what keeps an intercepted call close to `node -e 0` (see `make bench`).
//
// Kept out of the bundle, so that they load only when used:
//   - packages from node_modules (`debug`, loaded only when debugging);
//   - the OCI config validator, loaded only when a config is validated. It is a bundle of
//     its own, dist/src/validate/oci-config.bundle.js, next to the generated code and V8
//     code caches that it finds through import.meta.url.
// The runtime bundle sits in dist/src/, so paths that modules there compute from
// import.meta.url (../../package.json for the version) stay right.

import { build } from 'esbuild';

const keepValidatorLazy = {
  name: 'keep-validator-lazy',
  setup(b) {
    b.onResolve({ filter: /\/validate\/oci-config\.js$/ }, () => ({
      path: './validate/oci-config.bundle.js',
      external: true,
    }));
  },
};

const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  logLevel: 'warning',
};

await build({
  ...common,
  entryPoints: ['dist/src/runtime/main.js'],
  outfile: 'dist/src/cgherd-runtime.js',
  plugins: [keepValidatorLazy],
});

await build({
  ...common,
  entryPoints: ['dist/src/validate/oci-config.js'],
  outfile: 'dist/src/validate/oci-config.bundle.js',
});
