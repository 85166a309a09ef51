// The operator face's entry point. bin/cgherd runs it for doctor, inspect, repair,
// validate, install, help, --help and no arguments. Commands are found by oclif in
// dist/src/commands (package.json "oclif"), so a new command file needs no change here.

import { execute } from '@oclif/core';

await execute({ dir: import.meta.url });
