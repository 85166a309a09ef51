// Bundles the runtime face (dist/src/runtime/main.js and everything it imports, hooks
// included) into one file, dist/src/cgherd-runtime.js, which bin/cgherd runs for the
// intercepted commands. Loading one file instead of some forty small ESM modules is most
// of what keeps an intercepted call close to `node -e 0` (see `make bench`).
//
// Kept out of the bundle, so that they load only when used:
//   - packages from node_modules (`debug`, loaded only when debugging);
//   - the OCI config validator (src/validate/oci-config.js and the ~200 kB of generated
//     code behind it, with its V8 code cache), loaded only when a config is validated.
// The bundle sits in dist/src/, so paths that modules there compute from import.meta.url
// (../../package.json for the version) stay right.

import { build } from 'esbuild';

const keepValidatorLazy = {
  name: 'keep-validator-lazy',
  setup(b) {
    b.onResolve({ filter: /\/validate\/oci-config\.js$/ }, () => ({
      path: './validate/oci-config.js',
      external: true,
    }));
  },
};

await build({
  entryPoints: ['dist/src/runtime/main.js'],
  outfile: 'dist/src/cgherd-runtime.js',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  plugins: [keepValidatorLazy],
  logLevel: 'warning',
});
