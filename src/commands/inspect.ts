// `cgherd inspect ID`: the container's process tree, each process's cgroup, the strays,
// and whether the next checkpoint would work. Changes nothing.

import { containerHerdOptions, herd } from '../herd/index.js';
import { BaseCommand } from '../operator/base-command.js';
import {
  CONTAINER_EXIT_CODES,
  containerArgs,
  containerFlags,
  onContainer,
} from '../operator/container/command.js';
import { inspectVerdict, targetLine, treeLines } from '../operator/container/report-lines.js';
import { EXIT, exitCodesHelp } from '../operator/exit.js';

export default class Inspect extends BaseCommand {
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

  async run(): Promise<object> {
    const { args, flags } = await this.parse(Inspect);
    // The same target as the hooks: the cgroup the runtime recorded for the container.
    const { container: c, report } = onContainer(flags, args.id, (located) =>
      herd(located.pid, { ...containerHerdOptions(located), dryRun: true }),
    );
    const verdict = inspectVerdict(report, args.id);
    this.log(`container ${args.id}: ${targetLine(report)}`);
    for (const line of treeLines(report)) this.log(line);
    for (const f of report.failures) this.log(`warning: ${f.message}`);
    this.log(verdict.summary);
    const code = verdict.nextCheckpoint === 'fail' ? EXIT.PROBLEM : EXIT.OK;
    return this.finish({ id: args.id, status: c.status ?? 'running', ...verdict, report }, code);
  }
}
