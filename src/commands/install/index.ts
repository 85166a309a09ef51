// `cgherd install --remove` (and `cgherd install`, which points at `install podman`).

import { Command } from '@oclif/core';
import { EXIT, OperatorError, exitCodesHelp } from '../../operator/exit.js';
import { runInstall } from '../../operator/install-command.js';
import { INSTALL_EXIT_CODES, installFlags } from '../../operator/install-flags.js';
import { guarded } from '../../operator/run-guarded.js';

export default class Install extends Command {
  static override summary = "Install or remove cgherd's integration with a container engine.";
  static override description =
    '`cgherd install podman` registers cgherd with Podman; `cgherd install --remove` takes it back ' +
    'and restores what was there before, byte for byte.\n\n' +
    'Exit status:\n' +
    exitCodesHelp(INSTALL_EXIT_CODES);
  static override examples = [
    '<%= config.bin %> install podman --default',
    '<%= config.bin %> install --remove',
  ];
  static override flags = installFlags;

  async run(): Promise<void> {
    const { flags } = await this.parse(Install);
    await guarded(this, () => {
      if (!flags.remove) {
        throw new OperatorError(
          'say what to install: `cgherd install podman` (or --remove)',
          EXIT.USAGE,
        );
      }
      runInstall(flags, { log: (l) => this.log(l) });
    });
  }
}
