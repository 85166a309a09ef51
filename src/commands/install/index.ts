// `cgherd install --remove` (and `cgherd install`, which points at `install podman`).

import { BaseCommand } from '../../operator/base-command.js';
import { EXIT, OperatorError, exitCodesHelp } from '../../operator/exit.js';
import { INSTALL_EXIT_CODES, installFlags, runInstall } from '../../operator/install/command.js';

export default class Install extends BaseCommand {
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

  async run(): Promise<object> {
    const { flags } = await this.parse(Install);
    if (!flags.remove) {
      throw new OperatorError(
        'say what to install: `cgherd install podman` (or --remove)',
        EXIT.USAGE,
      );
    }
    return runInstall(flags, { log: (l) => this.log(l) });
  }
}
