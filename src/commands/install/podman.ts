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
    "With --as NAME (recommended: --as crun) cgherd also takes over Podman's runtime name NAME: Podman " +
    'records that name in every container and every exported checkpoint, and `restore --import` ' +
    'insists on it, so only then do existing containers and foreign archives go through cgherd. The ' +
    'path Podman used for NAME becomes "runtime" in /etc/cgherd/config.json (other keys kept). With ' +
    '--default as well, NAME becomes the default runtime. Every file is written to a temp file, ' +
    'fsynced, read back and renamed; what was there before is kept until --remove.\n\n' +
    'Exit status:\n' +
    exitCodesHelp(INSTALL_EXIT_CODES);
  static override examples = [
    '<%= config.bin %> install podman --as crun',
    '<%= config.bin %> install podman --as crun --dry-run',
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
