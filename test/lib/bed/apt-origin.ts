// Where each installed package version came from, so that the suite can prove the test
// bed installed nothing from outside Debian 12. Pure: it reads the text of
// `dpkg-query -W -f '${Package}:${Architecture}\t${Version}\n'` and of `apt-cache policy`.

/** package:arch → version. */
export type PackageVersions = Map<string, string>;

export function parseDpkgList(text: string): PackageVersions {
  const out: PackageVersions = new Map();
  for (const line of text.split('\n')) {
    const tab = line.indexOf('\t');
    if (tab <= 0) continue;
    const version = line.slice(tab + 1).trim();
    if (version !== '') out.set(line.slice(0, tab), version);
  }
  return out;
}

/** For each package named in `apt-cache policy` output: version → the suites offering it
 *  (`bookworm/main`, `trixie/main`, …; `/var/lib/dpkg/status` for "installed, from nowhere"). */
export type PolicyTable = Map<string, Map<string, string[]>>;

export function parseAptPolicy(text: string): PolicyTable {
  const table: PolicyTable = new Map();
  let versions: Map<string, string[]> | undefined;
  let current: string[] | undefined;
  for (const line of text.split('\n')) {
    const header = /^(\S+):$/.exec(line);
    if (header?.[1] !== undefined) {
      versions = new Map();
      table.set(header[1], versions);
      current = undefined;
      continue;
    }
    if (versions === undefined) continue;
    // "     VERSION PRIO" or " *** VERSION PRIO": a version row (7 leading columns).
    const row = /^ (?:\*\*\*| {3}) (\S+) -?\d+$/.exec(line);
    if (row?.[1] !== undefined) {
      current = [];
      versions.set(row[1], current);
      continue;
    }
    // "        500 http://mirror/debian bookworm/main amd64 Packages" or "        100 /var/lib/dpkg/status"
    const source = /^ {8}-?\d+ (\S+)(?: (\S+))?/.exec(line);
    if (source?.[1] !== undefined && current !== undefined) {
      current.push(source[2] ?? source[1]);
    }
  }
  return table;
}

/** A suite of Debian 12: bookworm, bookworm-updates, bookworm-security, bookworm-backports is not. */
export function isBookwormSuite(suite: string): boolean {
  return /^bookworm(-updates|-security)?\//.test(suite);
}

export interface ForeignPackage {
  pkg: string;
  before: string | undefined;
  after: string;
  /** Where apt says this version comes from; empty when apt knows no source for it. */
  origins: string[];
}

export interface ChangeOrigins {
  fromBookworm: number;
  localBuilds: number;
  /** Changed to a version that no bookworm suite offers and that the bed did not build. */
  foreign: ForeignPackage[];
}

/**
 * Sorts the packages whose version changed (or appeared) between `before` and `after` by
 * where that version comes from. `local` holds the test bed's own builds: package → version.
 */
export function classifyChanges(
  before: PackageVersions,
  after: PackageVersions,
  policy: PolicyTable,
  local: ReadonlyMap<string, string>,
): ChangeOrigins {
  const out: ChangeOrigins = { fromBookworm: 0, localBuilds: 0, foreign: [] };
  for (const [pkg, version] of after) {
    const old = before.get(pkg);
    if (old === version) continue;
    const name = pkg.replace(/:[^:]*$/, '');
    if (local.get(name) === version) {
      out.localBuilds++;
      continue;
    }
    const offered = policy.get(pkg)?.get(version) ?? policy.get(name)?.get(version) ?? [];
    if (offered.some(isBookwormSuite)) {
      out.fromBookworm++;
      continue;
    }
    out.foreign.push({
      pkg,
      before: old,
      after: version,
      origins: offered.filter((o) => o !== '/var/lib/dpkg/status'),
    });
  }
  return out;
}

export function describeForeign(f: ForeignPackage): string {
  const from =
    f.origins.length > 0 ? f.origins.join(', ') : 'no suite apt knows (not a local build either)';
  return `${f.pkg} ${f.before ?? '(new)'} → ${f.after}, from ${from}`;
}
