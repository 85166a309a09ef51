// `cgherd repair ID`: herd a running container now, with the code the hooks use.

import { Command, Flags } from '@oclif/core';
import { containerHerdOptions, herd } from '../herd/index.js';
import { EXIT, exitCodesHelp } from '../operator/exit.js';
import {
  CONTAINER_EXIT_CODES,
  containerArgs,
  containerFlags,
  onContainer,
} from '../operator/container-flags.js';
import { repairExit, repairLines, repairSummary, targetLine } from '../operator/herd-view.js';
import { json } from '../operator/output.js';
import { guarded } from '../operator/run-guarded.js';

export default class Repair extends Command {
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

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Repair);
    let code: number = EXIT.OK;
    await guarded(this, () => {
      const { report } = onContainer(flags, args.id, (c) =>
        herd(c.pid, { ...containerHerdOptions(c), dryRun: flags['dry-run'], origins: true }),
      );
      code = repairExit(report);
      const summary = repairSummary(report);
      if (flags.json) {
        this.log(json({ id: args.id, summary, exitCode: code, report }));
      } else {
        this.log(`container ${args.id}: ${targetLine(report)}`);
        for (const line of repairLines(report)) this.log(line);
        this.log(summary);
      }
    });
    if (code !== EXIT.OK) this.exit(code);
  }
}
