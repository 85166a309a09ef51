// Which OCI runtimes the node engines under Kubernetes register, and which of those run
// cgherd: containerd's runc shim through `options.BinaryName` in /etc/containerd/config.toml,
// CRI-O through `runtime_path` in /etc/crio/crio.conf and /etc/crio/crio.conf.d/*.conf. Pure:
// the caller reads the files (and decides what a cgherd path is); `cgherd doctor` reports
// the result. Both engines read only; cgherd never rewrites their configuration.

import { join } from 'node:path';
import { parseToml, type TomlTable, type TomlValue } from '../install/toml.js';

export interface EngineRuntime {
  engine: 'containerd' | 'cri-o';
  /** The handler name a Kubernetes RuntimeClass names. */
  name: string;
  /** The binary the engine runs; undefined when the engine picks its default (runc, or
   *  the handler's name on PATH for CRI-O). */
  binary: string | undefined;
  /** containerd only: the shim, e.g. io.containerd.runc.v2. */
  runtimeType?: string;
  /** True when `binary` is cgherd (by the caller's test). */
  cgherd: boolean;
  /** The file that set it last. */
  file: string;
}

export interface EngineFile {
  path: string;
  text: string;
}

export interface EngineScan {
  runtimes: EngineRuntime[];
  /** CRI-O's default_runtime / containerd's default_runtime_name, when set. */
  defaults: { engine: EngineRuntime['engine']; name: string; file: string }[];
  /** Files that could not be parsed: path and the parser's message (with its line). */
  errors: { path: string; message: string }[];
}

const isTable = (v: TomlValue | undefined): v is TomlTable =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const asString = (v: TomlValue | undefined): string | undefined =>
  typeof v === 'string' ? v : undefined;

function dig(table: TomlTable, path: readonly string[]): TomlTable | undefined {
  let cur: TomlValue | undefined = table;
  for (const key of path) {
    if (!isTable(cur)) return undefined;
    cur = cur[key];
  }
  return isTable(cur) ? cur : undefined;
}

/** Where containerd's CRI plugin keeps its runtimes, by config version: 1 and 2 (containerd
 *  1.x), 3 (containerd 2.x). */
const CONTAINERD_CRI_TABLES: readonly (readonly string[])[] = [
  ['plugins', 'io.containerd.grpc.v1.cri', 'containerd'],
  ['plugins', 'cri', 'containerd'],
  ['plugins', 'io.containerd.cri.v1.runtime', 'containerd'],
];

/** The file's TOML, or undefined with the parser's message recorded in `scan.errors`. */
function parseInto(scan: EngineScan, file: EngineFile): TomlTable | undefined {
  try {
    return parseToml(file.text);
  } catch (error) {
    scan.errors.push({
      path: file.path,
      message: error instanceof Error ? error.message : String(error),
    });
    return undefined;
  }
}

export function scanContainerd(file: EngineFile, isCgherd: (path: string) => boolean): EngineScan {
  const scan: EngineScan = { runtimes: [], defaults: [], errors: [] };
  const doc = parseInto(scan, file);
  if (doc === undefined) return scan;
  for (const at of CONTAINERD_CRI_TABLES) {
    const cri = dig(doc, at);
    if (cri === undefined) continue;
    const defaultName = asString(cri.default_runtime_name);
    if (defaultName !== undefined)
      scan.defaults.push({ engine: 'containerd', name: defaultName, file: file.path });
    const runtimes = dig(cri, ['runtimes']) ?? {};
    for (const [name, entry] of Object.entries(runtimes)) {
      if (!isTable(entry)) continue;
      const options = dig(entry, ['options']);
      const binary = asString(options?.BinaryName);
      scan.runtimes.push({
        engine: 'containerd',
        name,
        binary,
        runtimeType: asString(entry.runtime_type),
        cgherd: binary !== undefined && isCgherd(binary),
        file: file.path,
      });
    }
  }
  return scan;
}

/** CRI-O reads crio.conf, then crio.conf.d/*.conf in lexical order; a later file overrides
 *  an earlier one key by key. Pass the files in that order. */
export function scanCrio(
  files: readonly EngineFile[],
  isCgherd: (path: string) => boolean,
): EngineScan {
  const scan: EngineScan = { runtimes: [], defaults: [], errors: [] };
  const byName = new Map<string, EngineRuntime>();
  let defaultRuntime: { name: string; file: string } | undefined;
  for (const file of files) {
    const doc = parseInto(scan, file);
    if (doc === undefined) continue;
    const runtime = dig(doc, ['crio', 'runtime']);
    if (runtime === undefined) continue;
    const name = asString(runtime.default_runtime);
    if (name !== undefined) defaultRuntime = { name, file: file.path };
    for (const [handler, entry] of Object.entries(dig(runtime, ['runtimes']) ?? {})) {
      if (!isTable(entry)) continue;
      const previous = byName.get(handler);
      const path = asString(entry.runtime_path) ?? previous?.binary;
      byName.set(handler, {
        engine: 'cri-o',
        name: handler,
        binary: path,
        cgherd: path !== undefined && isCgherd(path),
        file: entry.runtime_path !== undefined ? file.path : (previous?.file ?? file.path),
      });
    }
  }
  scan.runtimes = [...byName.values()];
  if (defaultRuntime) scan.defaults.push({ engine: 'cri-o', ...defaultRuntime });
  return scan;
}

/** The default test for "is this cgherd": the binary is named cgherd. A wrapper script
 *  registered under another name is not recognised by its name; doctor may look inside. */
export function namedCgherd(path: string): boolean {
  return path.split('/').at(-1) === 'cgherd';
}

/** containerd's and CRI-O's configuration files under `rootDir`, in the order each engine
 *  reads them; a missing file is simply absent (that engine is not configured there). */
export function engineFiles(
  rootDir: string,
  read: (path: string) => string | undefined,
  list: (dir: string) => string[],
): { containerd: EngineFile[]; crio: EngineFile[] } {
  const at = (p: string): string => join(rootDir, p);
  const file = (path: string): EngineFile[] => {
    const text = read(at(path));
    return text === undefined ? [] : [{ path, text }];
  };
  const dropIns = list(at('/etc/crio/crio.conf.d'))
    .filter((n) => n.endsWith('.conf'))
    .sort()
    .flatMap((n) => file(`/etc/crio/crio.conf.d/${n}`));
  return {
    containerd: file('/etc/containerd/config.toml'),
    crio: [...file('/etc/crio/crio.conf'), ...dropIns],
  };
}
