// The operator face's entry point. bin/cgherd runs it for doctor, inspect, repair,
// validate, install, help, --help and no arguments. Commands are found by oclif in
// dist/src/commands (package.json "oclif"), so a new command file needs no change here.

// Before anything loads: SIGUSR1 with no listener opens Node's inspector (as root, on
// 127.0.0.1:9229). oclif is imported after the listener, not hoisted above it.
process.on('SIGUSR1', () => undefined);

const { execute } = await import('@oclif/core');
await execute({ dir: import.meta.url });
