// `cgherd install podman` and `cgherd install --remove`: one drop-in file in
// /etc/containers/containers.conf.d, never an edit of the user's own files. A pre-existing
// file of the same name is renamed aside (same inode, so --remove restores it byte for byte).

import {
  existsSync,
  readFileSync,
  renameSync,
  rmdirSync,
  unlinkSync,
  writeFileSync,
  mkdirSync,
  readdirSync,
} from 'node:fs';
import { join } from 'node:path';
import { EXIT, OperatorError, exitForErrno } from '../exit.js';
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
} from './podman-conf.js';
import { listDropIns, readConfFile } from './podman-conf-read.js';

export interface InstallRequest {
  rootDir: string;
  launcher: string;
  makeDefault: boolean;
  dryRun: boolean;
  useAppend: boolean;
}

export interface InstallResult {
  path: string;
  action: 'created' | 'replaced' | 'unchanged' | 'would-write';
  /** Where a pre-existing foreign file of our name was put aside. */
  backup: string | undefined;
  createdDir: boolean;
  content: string;
}

function fsError(action: string, path: string, err: unknown): OperatorError {
  const code = (err as NodeJS.ErrnoException).code;
  const why =
    code === 'EACCES' || code === 'EPERM' ? `permission denied (${code})` : (code ?? String(err));
  return new OperatorError(`cannot ${action} ${path}: ${why}`, exitForErrno(code));
}

function readIfExists(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw fsError('read', path, err);
  }
}

/** The files Podman reads before our drop-in: they decide what the lists hold so far. */
function filesBeforeOurs(rootDir: string, dir: string): ConfText[] {
  const { files } = mainConfPaths({ rootDir, uid: 0, env: {} });
  const out: ConfText[] = [];
  for (const path of files) {
    const f = readConfFile(path);
    if (f) out.push(f);
  }
  for (const name of listDropIns(dir)) {
    if (name >= DROP_IN_NAME) continue;
    const f = readConfFile(join(dir, name));
    if (f) out.push(f);
  }
  return out;
}

export function installPodman(req: InstallRequest): InstallResult {
  const dir = dropInDir(req.rootDir);
  const path = join(dir, DROP_IN_NAME);
  const backup = join(dir, backupName());
  const dirExisted = existsSync(dir);
  const current = dirExisted ? readIfExists(path) : undefined;
  const ours = current !== undefined && isOurDropIn(current);
  const createdDir = ours ? dropInCreatedDir(current) : !dirExisted;
  const before = effectiveEngine(filesBeforeOurs(req.rootDir, dir));
  if (before.errors.length > 0) {
    const e = before.errors[0] as { path: string; message: string };
    throw new OperatorError(
      `Podman cannot read ${e.path} either (${e.message}); fix it first`,
      EXIT.CONFIG,
    );
  }
  const content = renderDropIn({
    launcher: req.launcher,
    makeDefault: req.makeDefault,
    useAppend: req.useAppend,
    before,
    createdDir,
  });
  const foreign = current !== undefined && !ours;
  if (foreign && existsSync(backup)) {
    throw new OperatorError(
      `${path} was not written by cgherd and ${backup} already exists; move one of them away first`,
      EXIT.CONFIG,
    );
  }
  const result: InstallResult = {
    path,
    action: 'created',
    backup: foreign ? backup : ours && existsSync(backup) ? backup : undefined,
    createdDir,
    content,
  };
  if (req.dryRun) return { ...result, action: 'would-write' };
  if (current === content) return { ...result, action: 'unchanged' };
  try {
    if (!dirExisted) mkdirSync(dir, { recursive: true, mode: 0o755 });
    if (foreign) renameSync(path, backup);
    const tmp = join(dir, `.${DROP_IN_NAME}.tmp-${process.pid}`);
    writeFileSync(tmp, content, { mode: 0o644 });
    renameSync(tmp, path);
  } catch (err) {
    if (err instanceof OperatorError) throw err;
    throw fsError('write', path, err);
  }
  return { ...result, action: current === undefined ? 'created' : 'replaced' };
}

export interface RemoveResult {
  path: string;
  action: 'removed' | 'restored' | 'absent' | 'would-remove' | 'would-restore';
  removedDir: boolean;
}

export function removePodman(rootDir: string, dryRun: boolean): RemoveResult {
  const dir = dropInDir(rootDir);
  const path = join(dir, DROP_IN_NAME);
  const backup = join(dir, backupName());
  const current = readIfExists(path);
  if (current === undefined) return { path, action: 'absent', removedDir: false };
  if (!isOurDropIn(current)) {
    throw new OperatorError(`${path} was not written by cgherd; leaving it alone`, EXIT.CONFIG);
  }
  const hasBackup = existsSync(backup);
  if (dryRun)
    return { path, action: hasBackup ? 'would-restore' : 'would-remove', removedDir: false };
  let removedDir = false;
  try {
    if (hasBackup) renameSync(backup, path);
    else unlinkSync(path);
    if (!hasBackup && dropInCreatedDir(current) && readdirSync(dir).length === 0) {
      rmdirSync(dir);
      removedDir = true;
    }
  } catch (err) {
    throw fsError('remove', path, err);
  }
  return { path, action: hasBackup ? 'restored' : 'removed', removedDir };
}
