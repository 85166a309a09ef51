// The operator face's entry point. bin/cgherd runs it for doctor, inspect, repair,
// validate, install, help, --help and no arguments. Commands are found by oclif in
// dist/src/commands (package.json "oclif"), so a new command file needs no change here.
//
// Root runs it, often through sudo, which may keep HOME and XDG_DATA_HOME. oclif would load
// user and link plugins (and run their init hooks) from $CGHERD_DATA_DIR,
// $XDG_DATA_HOME/cgherd or $HOME/.local/share/cgherd: code from a place the caller chose.
// cgherd has no plugins, so every kind of plugin loading that is not the package itself
// is off.

// Before anything loads: SIGUSR1 with no listener opens Node's inspector (as root, on
// 127.0.0.1:9229). oclif is imported after the listener, not hoisted above it.
process.on('SIGUSR1', () => undefined);

// Everything oclif may load or read for its decisions (package.json, the manifest, the
// commands, the operator modules, node_modules): the launcher checked only the few files
// it starts Node with.
const { untrustedInTrees } = await import('./trust/tree.js');
const { OWNER_ADVICE } = await import('./trust/owner.js');
const home = new URL('../../', import.meta.url).pathname.replace(/\/$/, '');
const untrusted = untrustedInTrees(
  ['package.json', 'oclif.manifest.json', 'dist', 'node_modules'].map((p) => `${home}/${p}`),
);
if (untrusted !== undefined) {
  process.stderr.write(
    `cgherd: refusing to run the operator commands: ${untrusted}; ${OWNER_ADVICE}\n`,
  );
  process.exit(1);
}

const { execute } = await import('@oclif/core');
await execute({
  loadOptions: {
    root: new URL('.', import.meta.url).pathname,
    userPlugins: false,
    devPlugins: false,
    jitPlugins: false,
  },
});
