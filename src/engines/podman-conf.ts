// What Podman's containers.conf files say about OCI runtimes, and the drop-in cgherd
// writes. Pure: the files come in as text, in the order Podman reads them.
//
// Measured with Podman 4.3.1 (containers/common 0.50): as root it reads
// /usr/share/containers/containers.conf, /etc/containers/containers.conf, then
// /etc/containers/containers.conf.d/*.conf in sorted order; a later file replaces an array
// an earlier one set, and adds to the [engine.runtimes] table. With CONTAINERS_CONF set it
// reads that file only (drop-ins included: they are ignored). `{append=true}` inside an
// array is a decode error there ("incompatible types"); it arrived with Podman 4.8 / 5.

import { parseToml, tomlGet, TomlError, type TomlTable, type TomlValue } from './toml.js';

export const DROP_IN_NAME = '50-cgherd.conf';
export const RUNTIME_NAME = 'cgherd';
export const DROP_IN_MARKER = '# Written by `cgherd install podman`.';
const CREATED_DIR_LINE = '# cgherd-install: created-dir';
const TAKEOVER_LINE = '# cgherd-install: as ';

/** containers/common 0.50 defaults (containers.conf(5) on Debian 12). */
export const PODMAN4_DEFAULTS = {
  runtimeSupportsJson: ['crun', 'runc', 'kata', 'runsc', 'krun'],
  runtimeSupportsNoCgroups: ['crun', 'krun'],
} as const;

export interface ConfText {
  path: string;
  text: string;
}

export interface ConfLocations {
  /** Filesystem root prefix: '/' normally, a temp dir in tests. */
  rootDir: string;
  uid: number;
  env: Readonly<Record<string, string | undefined>>;
}

/** The main files Podman reads, before the drop-in directories. */
export function mainConfPaths(loc: ConfLocations): { files: string[]; dropInDirs: string[] } {
  const override = loc.env.CONTAINERS_CONF;
  if (override) return { files: [override], dropInDirs: [] };
  const at = (p: string): string => joinRoot(loc.rootDir, p);
  const files = [
    at('/usr/share/containers/containers.conf'),
    at('/etc/containers/containers.conf'),
  ];
  const dropInDirs = [at('/etc/containers/containers.conf.d')];
  if (loc.uid !== 0) {
    const home = loc.env.XDG_CONFIG_HOME || (loc.env.HOME ? `${loc.env.HOME}/.config` : undefined);
    if (home) {
      files.push(`${home}/containers/containers.conf`);
      dropInDirs.push(`${home}/containers/containers.conf.d`);
    }
  }
  return { files, dropInDirs };
}

export function joinRoot(rootDir: string, absolute: string): string {
  const root = rootDir.replace(/\/+$/, '');
  return `${root}${absolute}`;
}

export function dropInDir(rootDir: string): string {
  return joinRoot(rootDir, '/etc/containers/containers.conf.d');
}

/** Drop-in files Podman takes from a directory listing: *.conf, sorted. */
export function selectDropIns(names: readonly string[]): string[] {
  return names.filter((n) => n.endsWith('.conf')).sort();
}

export interface EngineView {
  /** engine.runtime: the default runtime, '' when unset. */
  runtime: string;
  runtimeFrom: string | undefined;
  /** engine.runtimes, merged over all files: name -> candidate paths. */
  runtimes: Record<string, string[]>;
  runtimesFrom: Record<string, string>;
  runtimeSupportsJson: string[];
  runtimeSupportsNoCgroups: string[];
  /** Files that failed to parse, with the reason: Podman refuses to start on these. */
  errors: { path: string; message: string }[];
}

function stringList(value: TomlValue | undefined): string[] | undefined {
  if (!Array.isArray(value)) return undefined;
  return value.filter((v): v is string => typeof v === 'string');
}

/** True when an array uses the `{append=true}` attribute of newer containers.conf. */
function appends(value: TomlValue | undefined): boolean {
  return (
    Array.isArray(value) &&
    value.some(
      (v) => typeof v === 'object' && !Array.isArray(v) && (v as TomlTable).append === true,
    )
  );
}

/** Applies each file in order, the way Podman merges them. */
export function effectiveEngine(files: readonly ConfText[]): EngineView {
  const view: EngineView = {
    runtime: '',
    runtimeFrom: undefined,
    runtimes: {},
    runtimesFrom: {},
    runtimeSupportsJson: [...PODMAN4_DEFAULTS.runtimeSupportsJson],
    runtimeSupportsNoCgroups: [...PODMAN4_DEFAULTS.runtimeSupportsNoCgroups],
    errors: [],
  };
  for (const file of files) {
    let table: TomlTable;
    try {
      table = parseToml(file.text);
    } catch (err) {
      const message = err instanceof TomlError ? err.message : String(err);
      view.errors.push({ path: file.path, message });
      continue;
    }
    const runtime = tomlGet(table, ['engine', 'runtime']);
    if (typeof runtime === 'string') {
      view.runtime = runtime;
      view.runtimeFrom = file.path;
    }
    const runtimes = tomlGet(table, ['engine', 'runtimes']);
    if (runtimes && typeof runtimes === 'object' && !Array.isArray(runtimes)) {
      for (const [name, paths] of Object.entries(runtimes)) {
        const list = stringList(paths);
        if (!list) continue;
        view.runtimes[name] = list;
        view.runtimesFrom[name] = file.path;
      }
    }
    const json = tomlGet(table, ['engine', 'runtime_supports_json']);
    const jsonList = stringList(json);
    if (jsonList)
      view.runtimeSupportsJson = appends(json)
        ? [...view.runtimeSupportsJson, ...jsonList]
        : jsonList;
    const nocg = tomlGet(table, ['engine', 'runtime_supports_nocgroups']);
    const nocgList = stringList(nocg);
    if (nocgList) {
      view.runtimeSupportsNoCgroups = appends(nocg)
        ? [...view.runtimeSupportsNoCgroups, ...nocgList]
        : nocgList;
    }
  }
  return view;
}

/** Podman 4.8 brought `{append=true}`; Podman 5 has it on every engine array. */
export function supportsAppend(podmanVersion: string | undefined): boolean {
  const m = /^(\d+)\.(\d+)/.exec(podmanVersion ?? '');
  if (!m) return false;
  return Number(m[1]) >= 5;
}

export interface DropInOptions {
  launcher: string;
  makeDefault: boolean;
  /** Newer Podman: append to the arrays instead of restating them. */
  useAppend: boolean;
  /** The arrays as the files before ours leave them (used without append). */
  before: Pick<EngineView, 'runtimeSupportsJson' | 'runtimeSupportsNoCgroups'>;
  /** The drop-in directory did not exist: `--remove` deletes it again. */
  createdDir: boolean;
  /** `--as NAME`: cgherd also runs under Podman's name NAME, over `lower`. */
  takeover?: { name: string; lower: string } | undefined;
}

function tomlString(s: string): string {
  return JSON.stringify(s);
}

function tomlKey(s: string): string {
  return /^[A-Za-z0-9_-]+$/.test(s) ? s : tomlString(s);
}

function tomlArray(items: readonly string[], append: boolean): string {
  const parts = items.map(tomlString);
  if (append) parts.push('{append=true}');
  return `[${parts.join(', ')}]`;
}

function withCgherd(list: readonly string[]): string[] {
  return list.includes(RUNTIME_NAME) ? [...list] : [...list, RUNTIME_NAME];
}

export function renderDropIn(opts: DropInOptions): string {
  const json = opts.useAppend ? [RUNTIME_NAME] : withCgherd(opts.before.runtimeSupportsJson);
  const nocg = opts.useAppend ? [RUNTIME_NAME] : withCgherd(opts.before.runtimeSupportsNoCgroups);
  const lines = [
    DROP_IN_MARKER,
    '# `cgherd install --remove` takes it back. Edit your own containers.conf, not this file.',
  ];
  if (opts.createdDir) lines.push(CREATED_DIR_LINE);
  const t = opts.takeover;
  if (t) {
    lines.push(
      `${TAKEOVER_LINE}${t.name}`,
      `# Podman's runtime name "${t.name}" runs cgherd; cgherd forwards to ${t.lower}, the path`,
      '# Podman used for it before (the "runtime" key of /etc/cgherd/config.json).',
    );
  }
  if (!opts.useAppend) {
    lines.push(
      '# This Podman has no {append=true}: the two lists below restate what the files before this',
      '# one had, plus cgherd.',
    );
  }
  lines.push('', '[engine]');
  if (opts.makeDefault) lines.push(`runtime = ${tomlString(t ? t.name : RUNTIME_NAME)}`);
  lines.push(
    `runtime_supports_json = ${tomlArray(json, opts.useAppend)}`,
    `runtime_supports_nocgroups = ${tomlArray(nocg, opts.useAppend)}`,
    '',
    '[engine.runtimes]',
    `${RUNTIME_NAME} = [${tomlString(opts.launcher)}]`,
  );
  if (t) lines.push(`${tomlKey(t.name)} = [${tomlString(opts.launcher)}]`);
  lines.push('');
  return lines.join('\n');
}

export function isOurDropIn(text: string): boolean {
  return text.startsWith(DROP_IN_MARKER);
}

/** The runtime name a drop-in of ours took over, if any. */
export function dropInTakeover(text: string): string | undefined {
  const line = text.split('\n').find((l) => l.startsWith(TAKEOVER_LINE));
  return line?.slice(TAKEOVER_LINE.length).trim() || undefined;
}

export function dropInCreatedDir(text: string): boolean {
  return text.split('\n').includes(CREATED_DIR_LINE);
}

/** Name of the copy kept of a pre-existing drop-in of our name; Podman ignores non-.conf files. */
export function backupName(name = DROP_IN_NAME): string {
  return `.${name}.cgherd-backup`;
}
