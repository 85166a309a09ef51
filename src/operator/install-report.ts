// Words for what `install podman` and `install --remove` did.

import type { InstallResult, RemoveResult } from './install-podman.js';

export function installLines(r: InstallResult): string[] {
  const lines: string[] = [];
  if (r.action === 'would-write') {
    lines.push(`would write ${r.path}:`, '', ...r.content.trimEnd().split('\n'), '');
    if (r.backup) lines.push(`would first move the existing file to ${r.backup}`);
    return lines;
  }
  if (r.action === 'unchanged') lines.push(`${r.path} is already up to date`);
  else lines.push(`${r.action} ${r.path}`);
  if (r.backup) lines.push(`the previous ${r.path} is kept as ${r.backup}; --remove puts it back`);
  lines.push('check with: podman --runtime cgherd info; undo with: cgherd install --remove');
  return lines;
}

export function removeLines(r: RemoveResult): string[] {
  switch (r.action) {
    case 'absent':
      return [`nothing to remove: ${r.path} does not exist`];
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
