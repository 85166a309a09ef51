// The I/O half of `cgherd doctor`: asks the host what it has. Every probe returns what it
// saw, errors included, and never throws: the doctor reports, it does not crash.

import { execaSync } from 'execa';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import { loadSettings } from '../../config/load.js';
import type { RestoreCgroupRootMode } from '../../config/settings.js';
import { cgroupMounts, parseMountinfo } from '../../proc/mountinfo.js';
import { isExecutableFile } from '../../lower/locate.js';
import { OperatorError } from '../exit.js';
import { effectiveEngine, type EngineView } from '../install/podman-conf.js';
import { readPodmanConf } from '../install/podman-conf-read.js';
import { identifyRuntime, type RuntimeIdentity } from '../../lower/version.js';
import { launcherPath } from '../install/launcher.js';
import { probeTakeovers, type TakeoverFact } from './takeover.js';
import { cgroupLayout, type CgroupLayout } from './cgroup-layout.js';
import { configuredCgroupManager, type SystemdManagerFacts } from './systemd-manager.js';
import { engineFiles, namedCgherd, scanContainerd, scanCrio, type EngineScan } from './engines.js';

export interface CommandOutput {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a tool and captures its output; a tool that cannot start is status 127. */
export function runQuiet(file: string, args: readonly string[], timeoutMs = 20_000): CommandOutput {
  const r = execaSync(file, args, {
    reject: false,
    stdin: 'ignore',
    timeout: timeoutMs,
    stripFinalNewline: false,
  });
  if (!r.failed) return { code: 0, stdout: r.stdout ?? '', stderr: '' };
  return {
    code: r.exitCode ?? 127,
    stdout: r.stdout ?? '',
    stderr: (r.stderr ?? '') || r.code || (r.shortMessage ?? ''),
  };
}

/** Fixed locations first, PATH last: the operator may run doctor from a bare environment. */
export function findTool(
  name: string,
  dirs: readonly string[],
  envPath: string | undefined,
): string | undefined {
  for (const dir of dirs) {
    const p = join(dir, name);
    if (isExecutableFile(p)) return p;
  }
  for (const dir of (envPath ?? '').split(delimiter)) {
    if (!isAbsolute(dir)) continue;
    const p = join(dir, name);
    if (isExecutableFile(p)) return p;
  }
  return undefined;
}

const SBIN_FIRST = ['/usr/sbin', '/usr/local/sbin', '/sbin', '/usr/bin', '/usr/local/bin', '/bin'];
const BIN_FIRST = ['/usr/bin', '/usr/local/bin', '/bin', '/usr/sbin', '/usr/local/sbin'];

export interface CriuFacts {
  path: string | undefined;
  version: string | undefined;
  /** `criu check`: ok, plus its last line of output. */
  check: { ok: boolean; detail: string } | undefined;
}

export function probeCriu(envPath: string | undefined): CriuFacts {
  const path = findTool('criu', SBIN_FIRST, envPath);
  if (!path) return { path: undefined, version: undefined, check: undefined };
  const v = runQuiet(path, ['--version']);
  const version = /Version:\s*(\S+)/.exec(v.stdout)?.[1];
  const c = runQuiet(path, ['check'], 60_000);
  const lines = `${c.stdout}\n${c.stderr}`
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  return { path, version, check: { ok: c.code === 0, detail: lines.at(-1) ?? `exit ${c.code}` } };
}

export interface RuntimeFacts {
  path: string | undefined;
  /** Where the path came from, or why there is none. */
  source: string;
  configError: string | undefined;
  identity: RuntimeIdentity | undefined;
  /** The configured restoreCgroupRoot (undefined when the configuration is broken). */
  restoreCgroupRoot?: RestoreCgroupRootMode;
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

/** `podman --version`'s version word, e.g. "4.3.1". */
export function podmanVersionOf(path: string): string | undefined {
  return /version\s+(\S+)/.exec(runQuiet(path, ['--version']).stdout)?.[1];
}

export interface PodmanFacts {
  path: string | undefined;
  version: string | undefined;
  overridden: boolean;
  files: string[];
  view: EngineView | undefined;
  /** Reading the configuration failed (unreadable file or directory). */
  error: { message: string; exitCode: number } | undefined;
  /** cgherd's registered path exists and is executable. */
  registeredPathOk: boolean | undefined;
  /** Podman runtime names other than cgherd that run cgherd (`install podman --as`). */
  takeovers?: TakeoverFact[];
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
    if (!(err instanceof OperatorError)) throw err;
    return {
      ...base,
      overridden: Boolean(env.CONTAINERS_CONF),
      files: [],
      view: undefined,
      error: { message: err.message, exitCode: err.exitCode },
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
