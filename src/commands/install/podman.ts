// `cgherd install podman`: register cgherd with Podman through one drop-in file.

import { BaseCommand } from '../../operator/base-command.js';
import { exitCodesHelp } from '../../operator/exit.js';
import { INSTALL_EXIT_CODES, installFlags, runInstall } from '../../operator/install/command.js';

export default class InstallPodman extends BaseCommand {
  static override summary = 'Register cgherd as an OCI runtime for Podman.';
  static override description =
    'Writes /etc/containers/containers.conf.d/50-cgherd.conf: cgherd under [engine.runtimes], in ' +
    'runtime_supports_json and runtime_supports_nocgroups, and with --default `runtime = "cgherd"`. ' +
    'Your own containers.conf is never edited. A file of the same name that cgherd did not write is ' +
    'kept aside and put back by `cgherd install --remove`. Podman before 5 has no {append=true}: the ' +
    'drop-in then restates the two lists as the files before it leave them, plus cgherd.\n\n' +
    'Exit status:\n' +
    exitCodesHelp(INSTALL_EXIT_CODES);
  static override examples = [
    '<%= config.bin %> install podman',
    '<%= config.bin %> install podman --default --dry-run',
    '<%= config.bin %> install --remove',
  ];
  static override flags = installFlags;

  async run(): Promise<object> {
    const { flags } = await this.parse(InstallPodman);
    return runInstall(flags, { log: (l) => this.log(l) });
  }
}
