// The text of a private Podman configuration: containers.conf, storage.conf and the
// wrapper scripts that register cgherd over a given lower runtime. Pure: no I/O.

/** A runtime registered with the bed: a binary run as is, or cgherd over a lower runtime. */
export type RuntimeSpec =
  | string
  | {
      cgherdOver: string;
      env?: Record<string, string>;
      /** cgherd config keys: written to a config file (with `runtime`) that the wrapper names. */
      config?: Record<string, unknown>;
    };

export interface BedLayout {
  /** /tmp/cgt-pod-<mode>[-tag]: everything the bed owns on disk. */
  dir: string;
  /** Survives the bed: images, the container database, overlay layers. */
  root: string;
  /** A tmpfs mounted inside the namespace: a namespace's life is one "boot" for Podman. */
  runroot: string;
  /** Where the cgherd wrapper scripts go. */
  wrappers: string;
}

export function bedLayout(dir: string): BedLayout {
  return { dir, root: `${dir}/root`, runroot: `${dir}/run`, wrappers: `${dir}/runtimes` };
}

/** A TOML string: JSON's escaping is a subset TOML accepts for basic strings. */
function q(text: string): string {
  return JSON.stringify(text);
}

function list(items: readonly string[]): string {
  return `[${items.map(q).join(', ')}]`;
}

export interface ContainersConfInput {
  layout: BedLayout;
  /** name -> absolute path Podman executes (a binary or a wrapper script). */
  runtimes: ReadonlyMap<string, string>;
  defaultRuntime: string;
  /** Hard limits of this host: root lacks CAP_SYS_RESOURCE, so never ask for more. */
  nofile: number;
  nproc: number;
}

export function containersConf(input: ContainersConfInput): string {
  const { layout, runtimes } = input;
  const names = [...runtimes.keys()];
  return [
    '# Written by test/lib/podman/podman.ts for one test bed; do not edit.',
    '[containers]',
    'netns = "none"',
    'pids_limit = 0',
    'log_driver = "k8s-file"',
    `default_ulimits = ${list([`nofile=${input.nofile}:${input.nofile}`, `nproc=${input.nproc}:${input.nproc}`])}`,
    '',
    '[network]',
    `network_config_dir = ${q(`${layout.root}/networks`)}`,
    '',
    '[engine]',
    'cgroup_manager = "cgroupfs"',
    'events_logger = "file"',
    // File locks under tmp_dir: the default shm lock segment is shared by every Podman on
    // the host, whatever its --root.
    'lock_type = "file"',
    `tmp_dir = ${q(`${layout.runroot}/libpod`)}`,
    `static_dir = ${q(`${layout.root}/libpod`)}`,
    `volume_path = ${q(`${layout.root}/volumes`)}`,
    `runtime = ${q(input.defaultRuntime)}`,
    // Podman only reads the runtime's JSON error log for runtimes named here; cgherd
    // wrappers must be judged by the same error path as crun.
    `runtime_supports_json = ${list(['crun', 'runc', ...names])}`,
    `runtime_supports_nocgroups = ${list(['crun', ...names])}`,
    '',
    '[engine.runtimes]',
    ...names.map((name) => `${q(name)} = ${list([runtimes.get(name) as string])}`),
    '',
  ].join('\n');
}

export function storageConf(layout: BedLayout): string {
  return [
    '[storage]',
    'driver = "overlay"',
    `runroot = ${q(`${layout.runroot}/storage`)}`,
    `graphroot = ${q(`${layout.root}/storage`)}`,
    '',
  ].join('\n');
}

/** Quotes a word for sh. */
export function shQuote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/** Podman passes the runtime no environment, so the choice of lower runtime is baked in. */
export function cgherdWrapper(cgherdBin: string, env: Record<string, string>): string {
  const exports = Object.entries(env).map(([k, v]) => `export ${k}=${shQuote(v)}`);
  return ['#!/bin/sh', ...exports, `exec ${shQuote(cgherdBin)} "$@"`, ''].join('\n');
}

/** The hard limit of one resource from /proc/PID/limits, e.g. "Max open files". */
export function hardLimit(limitsText: string, label: string): number | undefined {
  for (const line of limitsText.split('\n')) {
    if (!line.startsWith(label)) continue;
    const fields = line.slice(label.length).trim().split(/\s+/);
    const hard = fields[1];
    if (hard === undefined || hard === 'unlimited') return undefined;
    const n = Number(hard);
    return Number.isInteger(n) ? n : undefined;
  }
  return undefined;
}

/** Inserts `--cgroup-parent P` into `run`/`create` calls so every cgroup the bed makes is
 *  under its own prefix; other calls are returned unchanged. */
export function withCgroupParent(args: readonly string[], parent: string): string[] {
  const at = args[0] === 'container' ? 1 : 0;
  const verb = args[at];
  if (verb !== 'run' && verb !== 'create') return [...args];
  if (args.some((a) => a === '--cgroup-parent' || a.startsWith('--cgroup-parent='))) {
    return [...args];
  }
  return [...args.slice(0, at + 1), '--cgroup-parent', parent, ...args.slice(at + 1)];
}
