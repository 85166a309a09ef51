// The lower runtime's command-line options (crun's and runc's), as tables: which global
// options exist and which take a value, and per command the options that take one.
// call/argv.ts parses with them; bin/cgherd's list of the global options that take a
// value is generated from GLOBAL_VALUE_OPTIONS (tools/gen-launcher-lists.mjs).

export interface GlobalOptions {
  root?: string;
  log?: string;
  logFormat?: string;
  logLevel?: string;
  cgroupManager?: string;
  rootless?: string;
  systemdCgroup: boolean;
  debug: boolean;
}

/** Global options that take a value (crun's and runc's). */
export const GLOBAL_VALUE_OPTIONS: Readonly<Record<string, keyof GlobalOptions>> = {
  '--root': 'root',
  '--log': 'log',
  '--log-format': 'logFormat',
  '--log-level': 'logLevel',
  '--cgroup-manager': 'cgroupManager',
  '--rootless': 'rootless',
};

export const GLOBAL_FLAGS: Readonly<Record<string, 'systemdCgroup' | 'debug'>> = {
  '--systemd-cgroup': 'systemdCgroup',
  '--debug': 'debug',
};

const CREATE_VALUE_OPTIONS: Readonly<Record<string, string>> = {
  '--bundle': 'bundle',
  '-b': 'bundle',
  '--config': 'config',
  '-f': 'config',
  '--pid-file': 'pid-file',
  '--console-socket': 'console-socket',
  '--preserve-fds': 'preserve-fds',
};

/**
 * Per command: the options that consume a value, long names first and short aliases
 * mapped to them. Anything not listed is a flag. Only the commands cgherd looks into need
 * an entry; for the rest the id is the first positional.
 */
export const VALUE_OPTIONS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  create: CREATE_VALUE_OPTIONS,
  run: CREATE_VALUE_OPTIONS,
  restore: {
    '--bundle': 'bundle',
    '-b': 'bundle',
    '--pid-file': 'pid-file',
    '--console-socket': 'console-socket',
    '--image-path': 'image-path',
    '--work-path': 'work-path',
    '--lsm-profile': 'lsm-profile',
    '--lsm-mount-context': 'lsm-mount-context',
    '--manage-cgroups-mode': 'manage-cgroups-mode',
    '--cgroup-root': 'cgroup-root',
    '--preserve-fds': 'preserve-fds',
  },
  checkpoint: {
    '--image-path': 'image-path',
    '--work-path': 'work-path',
    '--parent-path': 'parent-path',
    '--manage-cgroups-mode': 'manage-cgroups-mode',
    '--page-server': 'page-server',
  },
  exec: {
    '--process': 'process',
    '-p': 'process',
    '--pid-file': 'pid-file',
    '--console-socket': 'console-socket',
    '--preserve-fds': 'preserve-fds',
    '--cwd': 'cwd',
    '--env': 'env',
    '-e': 'env',
    '--user': 'user',
    '-u': 'user',
    '--cap': 'cap',
    '-c': 'cap',
    '--process-label': 'process-label',
    '--apparmor': 'apparmor',
    '--cgroup': 'cgroup',
  },
};

export const HELP_WORDS: ReadonlySet<string> = new Set(['--help', '-h', '--usage', '-?']);

/**
 * The runtimes that implement restore's `-no-subreaper` themselves, by the basename they
 * run as: runc does; crun never makes itself a subreaper and rejects the one-dash spelling
 * (hooks/engine-compat.ts, row 2).
 */
export const HONOURS_NO_SUBREAPER: ReadonlySet<string> = new Set(['runc']);
