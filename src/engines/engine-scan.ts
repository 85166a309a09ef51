// Which OCI runtimes the node engines under Kubernetes register, and which of those run
// cgherd: what a scan of containerd (containerd.ts) or CRI-O (crio.ts) finds, the parse
// both use (its errors kept), and the files each engine reads. Pure: the caller reads the
// files (and decides what a cgherd path is); `cgherd doctor` reports the result. Both
// engines read only; cgherd never rewrites their configuration.

import { join } from 'node:path';
import { parseToml, type TomlTable } from './toml.js';

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

/** The file's TOML, or undefined with the parser's message recorded in `scan.errors`. */
export function parseInto(scan: EngineScan, file: EngineFile): TomlTable | undefined {
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
