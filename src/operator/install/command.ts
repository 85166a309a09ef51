// The shared body of `cgherd install podman` and `cgherd install --remove`: their flags,
// the run, and the words for what it did.

import { Flags } from '@oclif/core';
import type { Interfaces } from '@oclif/core';
import { EXIT, OperatorError, type ExitCode } from '../exit.js';
import {
  installPodman,
  removePodman,
  type InstallResult,
  type RemoveResult,
  type TakeoverResult,
} from './drop-in.js';
import { checkTakeoverName } from './takeover.js';
import { supportsAppend } from '../../engines/podman-conf.js';
import { findTool } from '../../lower/locate.js';
import { launcherPath } from '../launcher.js';
import { podmanVersionOf } from '../tool-output.js';

/** The exit statuses both install commands can end with, for their --help. */
export const INSTALL_EXIT_CODES: readonly ExitCode[] = [
  EXIT.OK,
  EXIT.USAGE,
  EXIT.PERMISSION,
  EXIT.CONFIG,
];

export const installFlags = {
  as: Flags.string({
    description:
      "take over Podman's runtime name NAME (usually crun): containers and checkpoint archives that " +
      'name it run through cgherd, over the path Podman used for NAME (written to /etc/cgherd/config.json)',
    helpValue: 'NAME',
  }),
  default: Flags.boolean({
    description:
      'also make cgherd Podman\'s default runtime (runtime = "cgherd"; with --as NAME: runtime = NAME)',
    default: false,
  }),
  'dry-run': Flags.boolean({
    description: 'print what would be written or removed; change nothing',
    default: false,
  }),
  remove: Flags.boolean({
    description: 'take the drop-in back, restoring what was there before',
    default: false,
  }),
  json: Flags.boolean({ description: 'print the result as JSON', default: false }),
  'root-dir': Flags.string({
    description: 'filesystem root holding etc/containers (default /; for images and tests)',
    env: 'CGHERD_ROOT_DIR',
    default: '/',
  }),
  launcher: Flags.string({
    description: "launcher path to register (default: this installation's)",
  }),
};

function takeoverLines(t: TakeoverResult): string[] {
  const head = `Podman's runtime name ${t.name} runs cgherd over ${t.lower} (Podman's ${t.name} until now, from ${t.from})`;
  if (t.configAction === 'would-write') {
    const lines = [
      head,
      `would write ${t.configPath}:`,
      '',
      ...t.configContent.trimEnd().split('\n'),
      '',
    ];
    if (t.configBackup) lines.push(`would first keep the existing file as ${t.configBackup}`);
    return lines;
  }
  const lines = [head];
  lines.push(
    t.configAction === 'unchanged'
      ? `${t.configPath} is already up to date`
      : `${t.configAction} ${t.configPath}`,
  );
  if (t.configBackup) lines.push(`the previous ${t.configPath} is kept as ${t.configBackup}`);
  return lines;
}

function installLines(r: InstallResult): string[] {
  const lines: string[] = [];
  if (r.action === 'would-write') {
    lines.push(`would write ${r.path}:`, '', ...r.content.trimEnd().split('\n'), '');
    if (r.backup) lines.push(`would first keep the existing file as ${r.backup}`);
    if (r.takeover) lines.push(...takeoverLines(r.takeover));
    lines.push('(dry run: nothing was written)');
    return lines;
  }
  if (r.takeover) lines.push(...takeoverLines(r.takeover));
  if (r.action === 'unchanged') lines.push(`${r.path} is already up to date`);
  else lines.push(`${r.action} ${r.path}`);
  if (r.backup) lines.push(`the previous ${r.path} is kept as ${r.backup}; --remove puts it back`);
  const name = r.takeover?.name ?? 'cgherd';
  lines.push(`check with: podman --runtime ${name} info; undo with: cgherd install --remove`);
  return lines;
}

function configRemoveLine(r: RemoveResult['config']): string[] {
  switch (r.action) {
    case 'untouched':
      return [];
    case 'would-restore':
      return [`would put the previous ${r.path} back`];
    case 'would-remove':
      return [`would remove ${r.path} (it did not exist before the takeover)`];
    case 'restored':
      return [`restored the previous ${r.path}`];
    case 'removed':
      return [`removed ${r.path}${r.removedDir ? ' and the directory cgherd had created' : ''}`];
  }
}

function removeLines(r: RemoveResult): string[] {
  return [...dropInRemoveLines(r), ...configRemoveLine(r.config)];
}

function dropInRemoveLines(r: RemoveResult): string[] {
  switch (r.action) {
    case 'not-ours':
      return [`${r.path} was not written by cgherd; left alone`];
    case 'absent':
      return r.config.action === 'untouched'
        ? [`nothing to remove: ${r.path} does not exist`]
        : [`${r.path} is already gone`];
    case 'would-remove':
      return [`would remove ${r.path}`];
    case 'would-restore':
      return [`would put the previous ${r.path} back`];
    case 'removed':
      return [`removed ${r.path}${r.removedDir ? ' and the directory cgherd had created' : ''}`];
    case 'restored':
      return [`restored the previous ${r.path}`];
  }
}

type InstallFlags = Interfaces.InferredFlags<typeof installFlags>;

export interface CommandIO {
  log(line: string): void;
}

function podmanVersion(): string | undefined {
  const podman = findTool('podman', ['/usr/bin', '/usr/local/bin', '/bin'], process.env.PATH);
  return podman ? podmanVersionOf(podman) : undefined;
}

/** Installs or removes; logs the lines and returns the report (what --json prints). */
export function runInstall(flags: InstallFlags, io: CommandIO): object {
  if (flags.remove) {
    if (flags.default || flags.as !== undefined)
      throw new OperatorError(
        '--remove takes no --default or --as: it undoes whatever was installed',
        EXIT.USAGE,
      );
    const r = removePodman(flags['root-dir'], flags['dry-run']);
    for (const line of removeLines(r)) io.log(line);
    return r;
  }
  if (flags.as !== undefined) checkTakeoverName(flags.as);
  const version = podmanVersion();
  const r = installPodman({
    rootDir: flags['root-dir'],
    launcher: flags.launcher ?? launcherPath(),
    makeDefault: flags.default,
    dryRun: flags['dry-run'],
    useAppend: supportsAppend(version),
    as: flags.as,
  });
  for (const line of installLines(r)) io.log(line);
  return { ...r, podmanVersion: version ?? null };
}
