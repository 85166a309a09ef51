// Which test files may run side by side (`node dist/test/run.js --jobs N`), and which one
// starts next. Each file still runs in its own process; what they share is the host. A file
// claims nothing (it shares freely), a named lane (it shares with every file outside that
// lane, one file of the lane at a time), or the whole host (it runs alone).
//
// The claims come from an audit of each integration/e2e file and its helpers in test/lib
// for state shared across files: cgroups, containers, temp dirs and CRIU config files all
// carry a prefix of the file's own (cleanupPrefix, removeCgroups: no prefix is another's
// prefix, see the unit test), so files that keep to those share. A file not named below
// shares freely; when a file's safety was in doubt, it runs alone. Pure: no I/O here.

/** What a file holds while it runs. */
export type Claim = 'alone' | 'podman' | 'containerd' | 'package';

interface Rule {
  claim: Claim;
  why: string;
  /** Path substrings of the files (as run.ts lists them, `integration/x.test.js`). */
  files: readonly string[];
}

export const RULES: readonly Rule[] = [
  {
    claim: 'alone',
    why: "install the .deb and .rpm with dpkg and rpm, or run `install podman` over the real Podman's /etc/containers (each in a throwaway root or a private mount namespace, but with the host's dpkg records and Podman: the Node 18 group runs them, the host's run does not)",
    files: ['integration/op-package.', 'integration/op-install-podman.'],
  },
  {
    claim: 'package',
    why: 'build/*.deb and *.rpm: each file rebuilds them with packaging/build.sh when they are older than dist/ (test/lib/bed/package-build.ts), and two builds into build/ at once would break each other. The Debian 12 root op-package-deb12 installs into is its own (mkdtemp under /var/tmp)',
    files: ['integration/op-package-deb12.', 'integration/op-package-lintian.'],
  },
  {
    claim: 'alone',
    why: 'forces the CRIU breakpoint mode or probes it: a probe decides by how long a real dump takes (timeouts of 0.5 to 10 s), which load changes',
    files: [
      'integration/testbed-breakpoints.',
      'integration/criu-no-breakpoints.',
      'integration/criu-probe.',
    ],
  },
  {
    claim: 'alone',
    why: 'counts every process on the host (a bound of 2 stat reads per host pid), which other files change while it counts',
    files: ['integration/herd-bounded-subcgroups.'],
  },
  {
    claim: 'alone',
    why: 'timing windows CPU load can break: signals 100 to 300 ms apart or before a release (fault-signals, runtime-defer-signal, runtime-signal-hold), a 3 s stall timeout (criu-watchdog), the inspector on the host-wide port 9229 within 2 s (runtime-sigusr1)',
    files: [
      'integration/fault-signals.',
      'integration/runtime-defer-signal.',
      'integration/runtime-signal-hold.',
      'integration/criu-watchdog.',
      'integration/runtime-sigusr1.',
    ],
  },
  {
    claim: 'alone',
    why: 'the load itself (20 containers x 5 rounds): what it measures is cgherd under its own load',
    files: ['integration/load.'],
  },
  {
    claim: 'alone',
    why: "1,000 processes dumped and restored by CRIU three times: beside two other files, bare crun 1.8.1's restore of them failed once in eight full runs (exit 1, v2), never alone",
    files: ['integration/herd-1000.'],
  },
  {
    claim: 'podman',
    why: "Podman beds are named per mode (cgt-pod-<mode>[-tag]: `podman rm --all` and a sweep of the bed's cgroups at start); the nspawn systemd host is one per machine (/var/tmp/cgt-sysd, its machine name); the rootless user is shared",
    files: ['e2e/podman-'],
  },
  {
    claim: 'containerd',
    why: 'one containerd per cgroup mode for the whole run (test/lib/containerd/ctd-session.ts), cleared of every container and image after each test',
    files: ['e2e/containerd-'],
  },
];

/** The claim of a file, by the first rule that names it; undefined: it shares freely. */
export function claimOf(file: string): Claim | undefined {
  return RULES.find((r) => r.files.some((f) => file.includes(f)))?.claim;
}

/** May a file with this claim start beside the files running now (their claims)? */
export function mayStart(
  claim: Claim | undefined,
  running: readonly (Claim | undefined)[],
  jobs: number,
): boolean {
  if (running.length === 0) return true;
  if (running.length >= jobs || claim === 'alone' || running.includes('alone')) return false;
  return claim === undefined || !running.includes(claim);
}

/** Order of preference among files that may start: a file that runs alone first (it
 *  waits for an empty host, and starting it then costs no sharing), then the lanes
 *  (one file at a time each, so their chain is the longest to finish), then the rest;
 *  unit files last, the short filler of the run's tail. */
function rank(file: string, claim: Claim | undefined): number {
  if (claim === 'alone') return 0;
  if (claim !== undefined) return 1;
  return file.startsWith('unit/') ? 3 : 2;
}

/** The index in `pending` of the file to start now, or undefined: none may start until a
 *  running file ends. Among those that may, the best rank, then list order (with one job,
 *  list order alone). Files are
 *  named as run.ts lists them (`unit/a.test.js`, `e2e/b.test.js`). */
export function nextToStart(
  pending: readonly string[],
  running: readonly string[],
  jobs: number,
): number | undefined {
  // One at a time: the list's own order, as the runner always ran it.
  if (jobs <= 1) return running.length === 0 && pending.length > 0 ? 0 : undefined;
  const claims = running.map(claimOf);
  let best: { index: number; rank: number } | undefined;
  pending.forEach((file, index) => {
    const claim = claimOf(file);
    if (!mayStart(claim, claims, jobs)) return;
    const r = rank(file, claim);
    if (best === undefined || r < best.rank) best = { index, rank: r };
  });
  return best?.index;
}
