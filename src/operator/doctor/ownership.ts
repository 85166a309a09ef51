// `cgherd doctor`'s ownership check: root runs node, the launcher, dist/ and node_modules/,
// and reads package.json, oclif's manifest, the V8 code caches and /etc/cgherd/config.json,
// so each must be root's and writable by no one else (src/trust/owner.ts). The launcher checks only the paths it
// starts Node with, on every call; this walks every file, once, when asked.

import { lstatSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { effectiveUid, untrustedBecause } from '../../trust/owner.js';
import type { Finding } from './facts.js';

export interface OwnershipFacts {
  /** The installed tree checked (the folder holding bin/, dist/, node_modules/). */
  home: string;
  checked: number;
  /** One line per path another user could change, at most MAX_LISTED. */
  problems: string[];
  /** Problems beyond those listed. */
  more: number;
}

const MAX_LISTED = 10;

/** The installed tree this doctor runs from: dist/src/operator/doctor/ → four up. */
export function installHome(): string {
  return fileURLToPath(new URL('../../../../', import.meta.url)).replace(/\/$/, '');
}

function walk(path: string, visit: (path: string) => void): void {
  visit(path);
  let isDir = false;
  try {
    // Symbolic links are checked where they point (visit follows them), never walked.
    isDir = !lstatSync(path).isSymbolicLink() && statSync(path).isDirectory();
  } catch {
    return;
  }
  if (!isDir) return;
  for (const name of readdirSync(path)) walk(join(path, name), visit);
}

export function probeOwnership(home: string, configFile: string): OwnershipFacts {
  const euid = effectiveUid();
  const facts: OwnershipFacts = { home, checked: 0, problems: [], more: 0 };
  const visit = (path: string): void => {
    let why: string | undefined;
    try {
      why = untrustedBecause(path, statSync(path), euid);
    } catch {
      return; // gone, or a dangling link: nothing to run or read
    }
    facts.checked++;
    if (why === undefined) return;
    if (facts.problems.length < MAX_LISTED) facts.problems.push(why);
    else facts.more++;
  };
  // What the launcher checks on each start: node and its folder, every folder above the
  // tree (a sticky one, such as /tmp, may be writable by others: no one can rename what
  // root owns in it); what the operator face checks before oclif loads.
  for (const path of [process.execPath, dirname(process.execPath)]) visit(path);
  for (let up = dirname(home); ; up = dirname(up)) {
    let sticky = false;
    try {
      sticky = (statSync(up).mode & 0o1000) !== 0;
    } catch {
      // visit says nothing about a path that is gone
    }
    if (!sticky) visit(up);
    if (up === '/') break;
  }
  for (const path of [home, join(home, 'bin'), join(home, 'bin/cgherd')]) visit(path);
  for (const path of [join(home, 'package.json'), join(home, 'oclif.manifest.json')]) visit(path);
  walk(join(home, 'dist'), visit);
  walk(join(home, 'node_modules'), visit);
  visit(dirname(configFile));
  visit(configFile);
  return facts;
}

export function ownershipFindings(facts: OwnershipFacts): Finding[] {
  if (facts.problems.length === 0) {
    return [
      {
        id: 'ownership',
        severity: 'ok',
        summary: `ownership: ${facts.checked} paths of ${facts.home} and the config file are root's and writable by no one else`,
        advice: 'nothing to do',
      },
    ];
  }
  const more = facts.more > 0 ? `; and ${facts.more} more` : '';
  return [
    {
      id: 'ownership',
      severity: 'error',
      summary: `ownership: ${facts.problems.join('; ')}${more}`,
      advice:
        'root runs or reads these, so only root may change them: chown -R root and chmod -R go-w; ' +
        'until then cgherd refuses to start Node or to read the config',
    },
  ];
}
