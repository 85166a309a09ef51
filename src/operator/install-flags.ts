// Flags shared by `install podman` and `install`.

import { Flags } from '@oclif/core';
import { EXIT, type ExitCode } from './exit.js';

/** The exit statuses both install commands can end with, for their --help. */
export const INSTALL_EXIT_CODES: readonly ExitCode[] = [
  EXIT.OK,
  EXIT.USAGE,
  EXIT.PERMISSION,
  EXIT.CONFIG,
];

export const installFlags = {
  default: Flags.boolean({
    description: 'also make cgherd Podman\'s default runtime (runtime = "cgherd")',
    default: false,
  }),
  'dry-run': Flags.boolean({
    description: 'print what would be written or removed; change nothing',
    default: false,
  }),
  remove: Flags.boolean({
    description: 'take the drop-in back, restoring what was there before',
    default: false,
  }),
  json: Flags.boolean({ description: 'print the result as JSON', default: false }),
  'root-dir': Flags.string({
    description: 'filesystem root holding etc/containers (default /; for images and tests)',
    env: 'CGHERD_ROOT_DIR',
    default: '/',
  }),
  launcher: Flags.string({
    description: "launcher path to register (default: this installation's)",
  }),
};
