// The shared body of `cgherd install podman` and `cgherd install --remove`.

import type { Interfaces } from '@oclif/core';
import { EXIT, OperatorError } from './exit.js';
import type { installFlags } from './install-flags.js';
import { installPodman, removePodman } from './install-podman.js';
import { installLines, removeLines } from './install-report.js';
import { launcherPath } from './launcher.js';
import { json } from './output.js';
import { supportsAppend } from './podman-conf.js';
import { findTool, podmanVersionOf } from './probe.js';

type InstallFlags = Interfaces.InferredFlags<typeof installFlags>;

export interface CommandIO {
  log(line: string): void;
}

function podmanVersion(): string | undefined {
  const podman = findTool('podman', ['/usr/bin', '/usr/local/bin', '/bin'], process.env.PATH);
  return podman ? podmanVersionOf(podman) : undefined;
}

export function runInstall(flags: InstallFlags, io: CommandIO): void {
  if (flags.remove) {
    if (flags.default)
      throw new OperatorError('--remove and --default do not go together', EXIT.USAGE);
    const r = removePodman(flags['root-dir'], flags['dry-run']);
    if (flags.json) io.log(json(r));
    else for (const line of removeLines(r)) io.log(line);
    return;
  }
  const version = podmanVersion();
  const r = installPodman({
    rootDir: flags['root-dir'],
    launcher: flags.launcher ?? launcherPath(),
    makeDefault: flags.default,
    dryRun: flags['dry-run'],
    useAppend: supportsAppend(version),
  });
  if (flags.json) io.log(json({ ...r, podmanVersion: version ?? null }));
  else for (const line of installLines(r)) io.log(line);
}
