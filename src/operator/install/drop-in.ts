// `cgherd install podman` and `cgherd install --remove`: one drop-in file in
// /etc/containers/containers.conf.d, never an edit of the user's own files. A pre-existing
// file of the same name is kept aside (same inode, so --remove restores it byte for byte).
// With --as NAME, /etc/cgherd/config.json too (config-file.ts): it is written first and
// restored last, so Podman never runs cgherd under NAME without its lower runtime set.

import { existsSync, readFileSync, rmdirSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  DROP_IN_NAME,
  backupName,
  dropInCreatedDir,
  dropInDir,
  effectiveEngine,
  isOurDropIn,
  mainConfPaths,
  renderDropIn,
  type ConfText,
} from '../../engines/podman-conf.js';
import { ConfUnreadable, listDropIns, readConfFile } from '../../engines/podman-conf-read.js';
import { laterOverride, resolveRuntimeName } from '../../engines/podman-runtime-names.js';
import { parseToml } from '../../engines/toml.js';
import { EXIT, OperatorError, exitForErrno } from '../exit.js';
import { isCgherd } from '../is-cgherd.js';
import {
  applyConfig,
  configWriteError,
  planConfig,
  removeConfig,
  type ConfigRemoveResult,
} from './config-file.js';
import {
  fsyncDir,
  keepAside,
  noSteps,
  putBack,
  removeStaleTemps,
  sameFile,
  unlinkDurably,
  writeFileSafely,
  type StepHook,
} from './safe-write.js';
import { takeoverLower } from './takeover.js';

export interface InstallRequest {
  rootDir: string;
  launcher: string;
  makeDefault: boolean;
  dryRun: boolean;
  useAppend: boolean;
  /** `--as NAME`: take over Podman's runtime name NAME. */
  as?: string | undefined;
  /** Tests only: called after each durable step (see safe-write.ts). */
  onStep?: StepHook;
}

export interface TakeoverResult {
  name: string;
  lower: string;
  /** Where Podman's list for the name came from. */
  from: string;
  configPath: string;
  configContent: string;
  /** config.json existed and is kept as this file until --remove. */
  configBackup: string | undefined;
  configAction: 'created' | 'replaced' | 'unchanged' | 'would-write';
}

export interface InstallResult {
  path: string;
  action: 'created' | 'replaced' | 'unchanged' | 'would-write';
  /** Where a pre-existing foreign file of our name was put aside. */
  backup: string | undefined;
  createdDir: boolean;
  content: string;
  takeover: TakeoverResult | undefined;
}

function fsError(action: string, path: string, err: unknown): OperatorError {
  const code = (err as NodeJS.ErrnoException).code;
  const why =
    code === 'EACCES' || code === 'EPERM' ? `permission denied (${code})` : (code ?? String(err));
  return new OperatorError(`cannot ${action} ${path}: ${why}`, exitForErrno(code));
}

/** Only system call failures become OperatorErrors; anything else passes up unchanged. */
function isErrno(err: unknown): boolean {
  return typeof (err as NodeJS.ErrnoException | undefined)?.code === 'string';
}

function readIfExists(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw fsError('read', path, err);
  }
}

/** The files Podman reads before our drop-in (they decide what the lists hold so far), and
 *  the drop-ins after it (they would override what ours says). */
function filesAroundOurs(rootDir: string, dir: string): { before: ConfText[]; after: ConfText[] } {
  try {
    return readFilesAround(rootDir, dir);
  } catch (err) {
    if (!(err instanceof ConfUnreadable)) throw err;
    throw new OperatorError(err.message, exitForErrno(err.errno));
  }
}

function readFilesAround(rootDir: string, dir: string): { before: ConfText[]; after: ConfText[] } {
  const { files } = mainConfPaths({ rootDir, uid: 0, env: {} });
  const before: ConfText[] = [];
  const after: ConfText[] = [];
  for (const path of files) {
    const f = readConfFile(path);
    if (f) before.push(f);
  }
  for (const name of listDropIns(dir)) {
    if (name === DROP_IN_NAME) continue;
    const f = readConfFile(join(dir, name));
    if (f) (name < DROP_IN_NAME ? before : after).push(f);
  }
  return { before, after };
}

function isRegularFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function firstError(view: { errors: { path: string; message: string }[] }): void {
  const e = view.errors[0];
  if (e) {
    throw new OperatorError(
      `Podman cannot read ${e.path} either (${e.message}); fix it first`,
      EXIT.CONFIG,
    );
  }
}

function parseDropIn(text: string): void {
  parseToml(text);
}

export function installPodman(req: InstallRequest): InstallResult {
  const onStep = req.onStep ?? noSteps;
  const dir = dropInDir(req.rootDir);
  const path = join(dir, DROP_IN_NAME);
  const backup = join(dir, backupName());
  const dirExisted = existsSync(dir);
  const current = dirExisted ? readIfExists(path) : undefined;
  const ours = current !== undefined && isOurDropIn(current);
  const createdDir = ours ? dropInCreatedDir(current) : !dirExisted;
  const around = filesAroundOurs(req.rootDir, dir);
  const before = effectiveEngine(around.before);
  firstError(before);

  let takeover: { name: string; lower: string; from: string } | undefined;
  if (req.as !== undefined) {
    const later = effectiveEngine(around.after);
    firstError(later);
    const override = laterOverride(req.as, later);
    if (override) {
      throw new OperatorError(
        `${override} sets [engine.runtimes] ${req.as} and is read after ${path}: Podman would not run cgherd as ${req.as}; remove that entry first`,
        EXIT.CONFIG,
      );
    }
    const res = resolveRuntimeName(req.as, before, isRegularFile);
    const lower = takeoverLower(res, (p) => isCgherd(p, req.launcher));
    takeover = { name: req.as, lower, from: res.from };
  }

  const content = renderDropIn({
    launcher: req.launcher,
    makeDefault: req.makeDefault,
    useAppend: req.useAppend,
    before,
    createdDir,
    takeover,
  });
  const foreign = current !== undefined && !ours;
  // A backup that is the same inode as the file: an earlier run died right after keeping it.
  const alreadyKept = foreign && existsSync(backup) && sameFile(path, backup);
  if (foreign && existsSync(backup) && !alreadyKept) {
    throw new OperatorError(
      `${path} was not written by cgherd and ${backup} already exists; move one of them away first`,
      EXIT.CONFIG,
    );
  }
  const config = takeover ? planConfig(req.rootDir, takeover.lower) : undefined;
  const takeoverResult = (action: TakeoverResult['configAction']): TakeoverResult | undefined =>
    takeover && config
      ? {
          ...takeover,
          configPath: config.path,
          configContent: config.content,
          configBackup:
            config.keep === 'link' || existsSync(config.backup) ? config.backup : undefined,
          configAction: action,
        }
      : undefined;
  const result: InstallResult = {
    path,
    action: 'created',
    backup: foreign ? backup : ours && existsSync(backup) ? backup : undefined,
    createdDir,
    content,
    takeover: takeoverResult('would-write'),
  };
  if (req.dryRun) return { ...result, action: 'would-write' };

  // config.json first: the drop-in must never send NAME to cgherd before cgherd knows the
  // runtime NAME meant.
  let configAction: TakeoverResult['configAction'] = 'unchanged';
  if (config) {
    try {
      applyConfig(config, onStep);
    } catch (err) {
      if (!isErrno(err)) throw err;
      throw configWriteError(config.path, err);
    }
    if (config.current !== config.content)
      configAction = config.current === undefined ? 'created' : 'replaced';
  }
  const done = { ...result, takeover: takeoverResult(configAction) };
  if (current === content) return { ...done, action: 'unchanged' };
  try {
    if (!dirExisted) {
      mkdirSync(dir, { recursive: true, mode: 0o755 });
      fsyncDir(dirname(dir));
    }
    if (foreign && !alreadyKept) keepAside(path, backup, onStep);
    writeFileSafely(path, content, 0o644, parseDropIn, onStep);
  } catch (err) {
    if (!isErrno(err)) throw err;
    throw fsError('write', path, err);
  }
  return { ...done, action: current === undefined ? 'created' : 'replaced' };
}

export interface RemoveResult {
  path: string;
  /** not-ours: a file cgherd did not write (left alone; only a takeover's config.json was
   *  restored, e.g. after a crash between the two). */
  action: 'removed' | 'restored' | 'absent' | 'would-remove' | 'would-restore' | 'not-ours';
  removedDir: boolean;
  /** What happened to /etc/cgherd/config.json (a takeover's). */
  config: ConfigRemoveResult;
}

function removeDropIn(
  dir: string,
  path: string,
  dryRun: boolean,
  onStep: StepHook,
): Omit<RemoveResult, 'config'> {
  const backup = join(dir, backupName());
  const current = readIfExists(path);
  if (current === undefined) return { path, action: 'absent', removedDir: false };
  if (!isOurDropIn(current)) {
    // Died between keeping the foreign file aside and writing ours: the backup is the file.
    if (existsSync(backup) && sameFile(path, backup)) {
      if (dryRun) return { path, action: 'would-restore', removedDir: false };
      unlinkDurably(backup, onStep);
      removeStaleTemps(path);
      return { path, action: 'restored', removedDir: false };
    }
    return { path, action: 'not-ours', removedDir: false };
  }
  const hasBackup = existsSync(backup);
  if (dryRun)
    return { path, action: hasBackup ? 'would-restore' : 'would-remove', removedDir: false };
  let removedDir = false;
  if (hasBackup) putBack(backup, path, onStep);
  else unlinkDurably(path, onStep);
  removeStaleTemps(path);
  if (!hasBackup && dropInCreatedDir(current) && readdirSync(dir).length === 0) {
    rmdirSync(dir);
    removedDir = true;
  }
  return { path, action: hasBackup ? 'restored' : 'removed', removedDir };
}

export function removePodman(
  rootDir: string,
  dryRun: boolean,
  onStep: StepHook = noSteps,
): RemoveResult {
  const dir = dropInDir(rootDir);
  const path = join(dir, DROP_IN_NAME);
  let dropIn: Omit<RemoveResult, 'config'>;
  try {
    dropIn = removeDropIn(dir, path, dryRun, onStep);
  } catch (err) {
    if (!isErrno(err)) throw err;
    throw fsError('remove', path, err);
  }
  // config.json last, and even when the drop-in is already gone: a rerun after a crash
  // between the two must still finish.
  let config: ConfigRemoveResult;
  try {
    config = removeConfig(rootDir, dryRun, onStep);
  } catch (err) {
    if (!isErrno(err)) throw err;
    throw fsError('restore', join(rootDir, 'etc/cgherd/config.json'), err);
  }
  if (dropIn.action === 'not-ours' && config.action === 'untouched') {
    throw new OperatorError(`${path} was not written by cgherd; leaving it alone`, EXIT.CONFIG);
  }
  return { ...dropIn, config };
}
