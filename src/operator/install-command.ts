// The shared body of `cgherd install podman` and `cgherd install --remove`.

import { EXIT, OperatorError } from './exit.js';
import { installPodman, removePodman } from './install-podman.js';
import { installLines, removeLines } from './install-report.js';
import { launcherPath } from './launcher.js';
import { json } from './output.js';
import { supportsAppend } from './podman-conf.js';
import { findTool, runQuiet } from './probe.js';

export interface InstallFlags {
  default: boolean;
  'dry-run': boolean;
  remove: boolean;
  json: boolean;
  'root-dir': string;
  launcher: string | undefined;
}

export interface CommandIO {
  log(line: string): void;
}

function podmanVersion(): string | undefined {
  const podman = findTool('podman', ['/usr/bin', '/usr/local/bin', '/bin'], process.env.PATH);
  if (!podman) return undefined;
  return /version\s+(\S+)/.exec(runQuiet(podman, ['--version']).stdout)?.[1];
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
