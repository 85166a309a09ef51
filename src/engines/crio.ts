// CRI-O's runtimes: `runtime_path` in /etc/crio/crio.conf and /etc/crio/crio.conf.d/*.conf
// (engine-scan.ts says what a scan holds).

import { parseInto, type EngineFile, type EngineRuntime, type EngineScan } from './engine-scan.js';
import { asString, dig, isTable } from './toml.js';

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
