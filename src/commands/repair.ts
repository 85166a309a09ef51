// `cgherd repair ID`: herd a running container now, with the code the hooks use.

import { Flags } from '@oclif/core';
import { containerHerdOptions, herd } from '../herd/index.js';
import { BaseCommand } from '../operator/base-command.js';
import {
  CONTAINER_EXIT_CODES,
  containerArgs,
  containerFlags,
  onContainer,
} from '../operator/container/command.js';
import {
  repairExit,
  repairLines,
  repairSummary,
  targetLine,
} from '../operator/container/report-lines.js';
import { exitCodesHelp } from '../operator/exit.js';

export default class Repair extends BaseCommand {
  static override summary = "Move every process of a container's tree into the init's cgroup, now.";
  static override description =
    'Herds a running container with the same code as the restore and checkpoint hooks: each ' +
    "process of the init's tree that sits outside the init's cgroup is written to that cgroup's " +
    'cgroup.procs, in every hierarchy. Reports what moved, what could not move and why. ' +
    '--dry-run lists the moves and changes nothing. Run it in the mount namespace the container ' +
    'runtime uses.\n\n' +
    'Exit status:\n' +
    exitCodesHelp(CONTAINER_EXIT_CODES) +
    '\n  (with --dry-run, 1 means moves would be needed)';
  static override examples = [
    '<%= config.bin %> repair mycontainer --dry-run',
    '<%= config.bin %> repair mycontainer',
  ];
  static override args = containerArgs;
  static override flags = {
    ...containerFlags,
    'dry-run': Flags.boolean({
      description: 'list what would move; change nothing',
      default: false,
    }),
  };

  async run(): Promise<object> {
    const { args, flags } = await this.parse(Repair);
    const { report } = onContainer(flags, args.id, (c) =>
      herd(c.pid, { ...containerHerdOptions(c), dryRun: flags['dry-run'], origins: true }),
    );
    const code = repairExit(report);
    const summary = repairSummary(report);
    this.log(`container ${args.id}: ${targetLine(report)}`);
    for (const line of repairLines(report)) this.log(line);
    this.log(summary);
    return this.finish({ id: args.id, summary, exitCode: code, report }, code);
  }
}
