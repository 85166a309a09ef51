// `cgherd inspect ID`: the container's process tree, each process's cgroup, the strays,
// and whether the next checkpoint would work. Changes nothing.

import { Command } from '@oclif/core';
import { containerHerdOptions, herd } from '../herd/index.js';
import { EXIT, exitCodesHelp } from '../operator/exit.js';
import {
  CONTAINER_EXIT_CODES,
  containerArgs,
  containerFlags,
  onContainer,
} from '../operator/container-flags.js';
import { inspectVerdict, targetLine, treeLines } from '../operator/herd-view.js';
import { json } from '../operator/output.js';
import { guarded } from '../operator/run-guarded.js';

export default class Inspect extends Command {
  static override summary =
    "Show a container's process tree and where each process sits in the cgroups.";
  static override description =
    "Lists the init's whole descendant tree, each process with its cgroup per hierarchy, marks the " +
    'strays (processes outside the init\'s cgroup, which make CRIU fail with "Unseizable non-zombie"), ' +
    'and ends with one line: would the next checkpoint succeed. Read-only. Run it in the mount ' +
    'namespace the container runtime uses.\n\n' +
    'Exit status:\n' +
    exitCodesHelp(CONTAINER_EXIT_CODES);
  static override examples = [
    '<%= config.bin %> inspect mycontainer',
    '<%= config.bin %> inspect --root /run/crun mycontainer --json',
    "<%= config.bin %> inspect $(podman inspect -f '{{.Id}}' web)   # Podman's crun state is in /run/crun",
  ];
  static override args = containerArgs;
  static override flags = containerFlags;

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Inspect);
    let code: number = EXIT.OK;
    await guarded(this, () => {
      // The same target as the hooks: the cgroup the runtime recorded for the container.
      const { container: c, report } = onContainer(flags, args.id, (located) =>
        herd(located.pid, { ...containerHerdOptions(located), dryRun: true }),
      );
      const verdict = inspectVerdict(report, args.id);
      if (flags.json) {
        this.log(json({ id: args.id, status: c.status ?? 'running', ...verdict, report }));
      } else {
        this.log(`container ${args.id}: ${targetLine(report)}`);
        for (const line of treeLines(report)) this.log(line);
        for (const f of report.failures) this.log(`warning: ${f.message}`);
        this.log(verdict.summary);
      }
      if (verdict.nextCheckpoint === 'fail') code = EXIT.PROBLEM;
    });
    if (code !== EXIT.OK) this.exit(code);
  }
}
