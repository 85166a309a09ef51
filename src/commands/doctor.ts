// `cgherd doctor`: is this host ready for checkpoint/restore through cgherd, and what
// will go wrong?

import { Flags } from '@oclif/core';
import { BaseCommand } from '../operator/base-command.js';
import { doctorExitCode, doctorFindings, findingLines } from '../operator/doctor/findings.js';
import { applicableBugs } from '../operator/doctor/known-bugs.js';
import {
  probeCgroups,
  probeCriu,
  probeEngines,
  probePodman,
  probeRuntime,
  probeSystemdManager,
} from '../operator/doctor/probe.js';
import { systemdManagerFindings } from '../operator/doctor/systemd-manager.js';
import { EXIT, exitCodesHelp } from '../operator/exit.js';
import { loopFindings, probeLoop } from '../operator/doctor/loop.js';
import { breakpointFindings } from '../operator/doctor/breakpoints.js';
import { probeBreakpointFacts } from '../operator/doctor/breakpoints-probe.js';
import { installHome, ownershipFindings, probeOwnership } from '../operator/doctor/ownership.js';
import { rootlessFindings } from '../operator/doctor/rootless.js';
import { DEFAULT_CONFIG_FILE } from '../config/settings.js';
import { join } from 'node:path';

export default class Doctor extends BaseCommand {
  static override summary =
    'Check that checkpoint/restore can work on this host, and say what will go wrong.';
  static override description =
    'Runs `criu check` and a probe dump (cached per boot) that finds hosts without hardware breakpoints, identifies the lower runtime (version, CRIU support), the cgroup layout and ' +
    "manager, Podman's cgroup manager and whether the runtime supports it (+SYSTEMD), the known bug of " +
    'this crun version, and whether Podman uses cgherd ' +
    '(containers.conf, its drop-ins, CONTAINERS_CONF). Each finding has a severity and one line of advice.\n\n' +
    'Exit status:\n' +
    exitCodesHelp([EXIT.OK, EXIT.PROBLEM, EXIT.PERMISSION, EXIT.CONFIG]) +
    '\n  (warnings alone exit 0)';
  static override examples = [
    '<%= config.bin %> doctor',
    '<%= config.bin %> doctor --json | jq .findings',
  ];
  static override flags = {
    json: Flags.boolean({ description: 'print the facts and findings as JSON', default: false }),
    'root-dir': Flags.string({
      description:
        'read Podman, containerd and CRI-O configuration under this root instead of / (for tests and images)',
      env: 'CGHERD_ROOT_DIR',
      default: '/',
    }),
  };

  async run(): Promise<object> {
    const { flags } = await this.parse(Doctor);
    const env = process.env;
    const criu = probeCriu(env.PATH);
    const breakpoints = await probeBreakpointFacts(criu.check?.ok ? criu.path : undefined, env);
    const runtime = probeRuntime(env);
    const cgroups = probeCgroups();
    const podman = probePodman(env, flags['root-dir']);
    const engines = probeEngines(flags['root-dir']);
    const cgroupManager = probeSystemdManager(env, flags['root-dir'], { cgroups, podman, runtime });
    const bugs = applicableBugs(runtime.identity, runtime.restoreCgroupRoot);
    const home = installHome();
    const ownership = probeOwnership(home, env.CGHERD_CONFIG || DEFAULT_CONFIG_FILE);
    const loop = probeLoop(runtime.path, join(home, 'bin/cgherd'));
    const findings = [
      ...doctorFindings({ criu, runtime, cgroups, podman, bugs, engines }),
      ...breakpointFindings(breakpoints),
      ...systemdManagerFindings(cgroupManager),
      ...loopFindings(loop),
      ...ownershipFindings(ownership),
      ...rootlessFindings(process.geteuid?.() ?? 0),
    ];
    const code = doctorExitCode(findings);
    for (const line of findingLines(findings)) this.log(line);
    this.log(
      code === EXIT.OK
        ? 'checkpoint/restore can work on this host'
        : 'checkpoint/restore cannot work on this host until the errors above are fixed',
    );
    const report = {
      ok: code === EXIT.OK,
      exitCode: code,
      criu,
      breakpoints,
      runtime,
      cgroups,
      podman,
      cgroupManager,
      engines,
      ownership,
      loop: loop ?? null,
      findings,
    };
    return this.finish(report, code);
  }
}
