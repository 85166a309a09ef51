// /etc/cgherd/config.json for a takeover: `runtime` set to the lower runtime, the rest of
// an existing file kept. What was there before is kept beside it until `--remove`: the
// file itself as `.config.json.cgherd-backup` (a hard link: same bytes, inode and mode), or,
// when there was none, a marker `.config.json.cgherd-absent` saying to delete it again
// (its one line says whether /etc/cgherd was created too). Either one also says the
// current file is cgherd's own.

import { existsSync, mkdirSync, readFileSync, readdirSync, rmdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { EXIT, OperatorError, exitForErrno } from '../exit.js';
import { validateCgherdConfig } from '../../validate/cgherd-config.js';
import { joinRoot } from '../../engines/podman-conf.js';
import {
  fsyncDir,
  keepAside,
  putBack,
  removeStaleTemps,
  unlinkDurably,
  writeFileSafely,
  type StepHook,
} from './safe-write.js';
import { mergeConfig } from './takeover.js';

const CREATED_DIR = 'created-dir';

export interface ConfigPaths {
  path: string;
  backup: string;
  absent: string;
}

export function configPaths(rootDir: string): ConfigPaths {
  const path = joinRoot(rootDir, '/etc/cgherd/config.json');
  const dir = dirname(path);
  return {
    path,
    backup: join(dir, '.config.json.cgherd-backup'),
    absent: join(dir, '.config.json.cgherd-absent'),
  };
}

function readIfExists(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    throw new OperatorError(`cannot read ${path}: ${code ?? String(err)}`, exitForErrno(code));
  }
}

export interface ConfigPlan extends ConfigPaths {
  /** What the file holds now (undefined: no file). */
  current: string | undefined;
  content: string;
  /** How the original is kept: linked aside, a marker that it was absent, or already kept. */
  keep: 'link' | 'mark-absent' | 'kept';
  createDir: boolean;
  mode: number;
}

/** What installing a takeover does to config.json. Reads only. */
export function planConfig(rootDir: string, lower: string): ConfigPlan {
  const paths = configPaths(rootDir);
  const current = readIfExists(paths.path);
  const kept = existsSync(paths.backup) || existsSync(paths.absent);
  const dirExists = existsSync(dirname(paths.path));
  const content = mergeConfig(current, paths.path, lower);
  // Root-owned, not writable by group or others (issue 11 item 5); otherwise the mode stays.
  const mode = current === undefined ? 0o644 : statSync(paths.path).mode & 0o755;
  return {
    ...paths,
    current,
    content,
    keep: kept ? 'kept' : current === undefined ? 'mark-absent' : 'link',
    createDir: !dirExists,
    mode,
  };
}

function parseConfig(text: string): void {
  const issue = validateCgherdConfig(JSON.parse(text))[0];
  if (issue) throw new Error(`field ${issue.pointer || '(top level)'}: ${issue.message}`);
}

export function applyConfig(plan: ConfigPlan, onStep: StepHook): void {
  const dir = dirname(plan.path);
  if (plan.createDir) {
    mkdirSync(dir, { mode: 0o755 });
    fsyncDir(dirname(dir));
  }
  // The original is kept before anything replaces it.
  if (plan.keep === 'link') keepAside(plan.path, plan.backup, onStep);
  if (plan.keep === 'mark-absent') {
    writeFileSafely(
      plan.absent,
      plan.createDir ? `${CREATED_DIR}\n` : '',
      0o644,
      () => undefined,
      onStep,
    );
  }
  if (plan.current === plan.content) return;
  writeFileSafely(plan.path, plan.content, plan.mode, parseConfig, onStep);
}

export interface ConfigRemoveResult {
  path: string;
  action: 'restored' | 'removed' | 'untouched' | 'would-restore' | 'would-remove';
  removedDir: boolean;
}

/** Puts config.json back as it was before the first takeover; untouched if cgherd kept nothing. */
export function removeConfig(
  rootDir: string,
  dryRun: boolean,
  onStep: StepHook,
): ConfigRemoveResult {
  const p = configPaths(rootDir);
  const dir = dirname(p.path);
  if (existsSync(p.backup)) {
    if (dryRun) return { path: p.path, action: 'would-restore', removedDir: false };
    putBack(p.backup, p.path, onStep);
    removeStaleTemps(p.path);
    if (existsSync(p.absent)) unlinkDurably(p.absent, onStep);
    return { path: p.path, action: 'restored', removedDir: false };
  }
  const marker = readIfExists(p.absent);
  if (marker === undefined) return { path: p.path, action: 'untouched', removedDir: false };
  if (dryRun) return { path: p.path, action: 'would-remove', removedDir: false };
  unlinkDurably(p.path, onStep);
  removeStaleTemps(p.path);
  // The marker goes last: until then a rerun knows the file is cgherd's to remove.
  unlinkDurably(p.absent, onStep);
  let removedDir = false;
  if (marker.trim() === CREATED_DIR && readdirSync(dir).length === 0) {
    rmdirSync(dir);
    removedDir = true;
  }
  return { path: p.path, action: 'removed', removedDir };
}

/** The exit code for a write that failed in the middle: nothing kept aside was lost. */
export function configWriteError(path: string, err: unknown): OperatorError {
  if (err instanceof OperatorError) return err;
  const code = (err as NodeJS.ErrnoException).code;
  return new OperatorError(
    `cannot write ${path}: ${code ?? String(err)}; run the same command again to finish, or \`cgherd install --remove\``,
    code ? exitForErrno(code) : EXIT.CONFIG,
  );
}
