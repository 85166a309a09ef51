// containerd's runtimes: the runc shim's `options.BinaryName` in /etc/containerd/config.toml,
// for each handler of the CRI plugin (engine-scan.ts says what a scan holds).

import { parseInto, type EngineFile, type EngineScan } from './engine-scan.js';
import { asString, dig, isTable } from './toml.js';

/** Where containerd's CRI plugin keeps its runtimes, by config version: 1 and 2 (containerd
 *  1.x), 3 (containerd 2.x). */
const CONTAINERD_CRI_TABLES: readonly (readonly string[])[] = [
  ['plugins', 'io.containerd.grpc.v1.cri', 'containerd'],
  ['plugins', 'cri', 'containerd'],
  ['plugins', 'io.containerd.cri.v1.runtime', 'containerd'],
];

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
