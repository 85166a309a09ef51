// The I/O half of `cgherd doctor`: asks the host what it has. Every probe returns what it
// saw, errors included, and never throws: the doctor reports, it does not crash.

import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadSettings } from '../../config/load.js';
import type { RestoreCgroupRootMode } from '../../config/settings.js';
import { scanContainerd } from '../../engines/containerd.js';
import { scanCrio } from '../../engines/crio.js';
import { engineFiles, namedCgherd, type EngineScan } from '../../engines/engine-scan.js';
import { effectiveEngine } from '../../engines/podman-conf.js';
import { ConfUnreadable, readPodmanConf } from '../../engines/podman-conf-read.js';
import { findTool } from '../../lower/locate.js';
import { isExecutableFile } from '../../proc/executable.js';
import { identifyRuntime } from '../../lower/version.js';
import { cgroupMounts, parseMountinfo } from '../../proc/mountinfo.js';
import { exitForErrno } from '../exit.js';
import { launcherPath } from '../launcher.js';
import { podmanVersionOf, runQuiet } from '../tool-output.js';
import { cgroupLayout, type CgroupLayout } from './cgroup-layout.js';
import { parseCriuVersion, versionText } from '../../criu/criu-binary.js';
import type { CriuFacts, PodmanFacts, RuntimeFacts } from './facts.js';
import { configuredCgroupManager, type SystemdManagerFacts } from './systemd-manager.js';
import { probeTakeovers } from './takeover.js';

const SBIN_FIRST = ['/usr/sbin', '/usr/local/sbin', '/sbin', '/usr/bin', '/usr/local/bin', '/bin'];
const BIN_FIRST = ['/usr/bin', '/usr/local/bin', '/bin', '/usr/sbin', '/usr/local/sbin'];

export function probeCriu(envPath: string | undefined): CriuFacts {
  const path = findTool('criu', SBIN_FIRST, envPath);
  if (!path) return { path: undefined, version: undefined, check: undefined };
  const v = runQuiet(path, ['--version']);
  const version = versionText(parseCriuVersion(v.stdout));
  const c = runQuiet(path, ['check'], 60_000);
  const lines = `${c.stdout}\n${c.stderr}`
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  return { path, version, check: { ok: c.code === 0, detail: lines.at(-1) ?? `exit ${c.code}` } };
}

export function probeRuntime(env: Readonly<NodeJS.ProcessEnv>): RuntimeFacts {
  let path: string;
  let source: string;
  let restoreCgroupRoot: RestoreCgroupRootMode;
  try {
    const settings = loadSettings(env);
    path = settings.lowerRuntime;
    restoreCgroupRoot = settings.restoreCgroupRoot;
    if (env.CGHERD_RUNTIME) source = 'CGHERD_RUNTIME';
    else if (settings.configFile && existsSync(settings.configFile)) source = settings.configFile;
    else source = 'standard locations';
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return { path: undefined, source: 'configuration', configError: message, identity: undefined };
  }
  const out = runQuiet(path, ['--version']);
  const identity = out.code === 0 ? identifyRuntime(path, out.stdout) : undefined;
  return { path, source, configError: undefined, identity, restoreCgroupRoot };
}

export function probeCgroups(): CgroupLayout {
  let mountinfo = '';
  try {
    mountinfo = readFileSync('/proc/self/mountinfo', 'utf8');
  } catch {
    // Without /proc the layout is "unknown", which the findings report.
  }
  const mounts = cgroupMounts(parseMountinfo(mountinfo));
  return cgroupLayout(mounts, {
    systemdBooted: existsSync('/run/systemd/system'),
    readControllers: (mountPoint) => {
      try {
        return readFileSync(join(mountPoint, 'cgroup.controllers'), 'utf8')
          .trim()
          .split(/\s+/)
          .filter(Boolean);
      } catch {
        return undefined;
      }
    },
  });
}

export function probePodman(env: Readonly<NodeJS.ProcessEnv>, rootDir: string): PodmanFacts {
  const path = findTool('podman', BIN_FIRST, env.PATH);
  const version = path ? podmanVersionOf(path) : undefined;
  const base = { path, version, registeredPathOk: undefined };
  try {
    const conf = readPodmanConf({ rootDir, uid: process.getuid?.() ?? 0, env });
    const view = effectiveEngine(conf.files);
    const registered = view.runtimes.cgherd;
    const registeredPathOk = registered ? registered.some((p) => isExecutableFile(p)) : undefined;
    return {
      ...base,
      overridden: conf.overridden,
      files: conf.files.map((f) => f.path),
      view,
      error: undefined,
      registeredPathOk,
      takeovers: probeTakeovers(view, rootDir, launcherPath()),
    };
  } catch (err) {
    if (!(err instanceof ConfUnreadable)) throw err;
    return {
      ...base,
      overridden: Boolean(env.CONTAINERS_CONF),
      files: [],
      view: undefined,
      error: { message: err.message, exitCode: exitForErrno(err.errno) },
    };
  }
}

/** containerd's and CRI-O's runtimes, read from their configuration under `rootDir`. Both
 *  engines may be absent; then the scan is empty. */
export function probeEngines(rootDir: string): EngineScan {
  const files = engineFiles(
    rootDir,
    (path) => {
      try {
        return readFileSync(path, 'utf8');
      } catch {
        return undefined;
      }
    },
    (dir) => {
      try {
        return readdirSync(dir);
      } catch {
        return [];
      }
    },
  );
  const scans = [
    ...files.containerd.map((f) => scanContainerd(f, namedCgherd)),
    ...(files.crio.length > 0 ? [scanCrio(files.crio, namedCgherd)] : []),
  ];
  return {
    runtimes: scans.flatMap((s) => s.runtimes),
    defaults: scans.flatMap((s) => s.defaults),
    errors: scans.flatMap((s) => s.errors),
  };
}

/** What Podman's cgroup manager asks of the lower runtime (systemd-manager.ts judges). */
export function probeSystemdManager(
  env: Readonly<NodeJS.ProcessEnv>,
  rootDir: string,
  facts: { cgroups: CgroupLayout; podman: PodmanFacts; runtime: RuntimeFacts },
): SystemdManagerFacts {
  let configured: SystemdManagerFacts['configured'];
  try {
    configured = configuredCgroupManager(
      readPodmanConf({ rootDir, uid: process.getuid?.() ?? 0, env }).files,
    );
  } catch {
    // Unreadable configuration: the Podman findings report it; judge by the default.
  }
  return {
    systemdBooted: facts.cgroups.manager === 'systemd',
    configured,
    podman: facts.podman.path !== undefined,
    runtime: facts.runtime.identity,
  };
}
