// Doctor's view of a takeover (`cgherd install podman --as NAME`): which of Podman's runtime
// names run cgherd, and whether the lower runtime cgherd forwards them to is there. The probe
// reads files; the findings are pure.

import { readFileSync } from 'node:fs';
import { DEFAULT_CONFIG_FILE } from '../../config/settings.js';
import { findDefaultRuntime } from '../../lower/locate.js';
import { isExecutableFile } from '../../proc/executable.js';
import { RUNTIME_NAME, joinRoot, type EngineView } from '../../engines/podman-conf.js';
import { resolveRuntimeName } from '../../engines/podman-runtime-names.js';
import { configRuntime } from '../config-runtime.js';
import { EXIT } from '../exit.js';
import { isCgherd } from '../is-cgherd.js';
import type { Finding, TakeoverFact } from './facts.js';

function isFile(path: string): boolean {
  return isExecutableFile(path);
}

/** The lower runtime as cgherd finds it when Podman calls it: config.json, else the standard search. */
function lowerUnderPodman(rootDir: string): { lower: string | undefined; source: string } {
  const file = joinRoot(rootDir, DEFAULT_CONFIG_FILE);
  let text: string | undefined;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    text = undefined;
  }
  const fromFile = text === undefined ? undefined : configRuntime(text);
  if (fromFile !== undefined) return { lower: fromFile, source: file };
  return { lower: findDefaultRuntime(undefined), source: 'standard locations' };
}

export function probeTakeovers(
  view: EngineView,
  rootDir: string,
  launcher: string,
): TakeoverFact[] {
  const out: TakeoverFact[] = [];
  for (const name of Object.keys(view.runtimes)) {
    if (name === RUNTIME_NAME) continue;
    const res = resolveRuntimeName(name, view, isFile);
    if (res.resolved === undefined || !isCgherd(res.resolved, launcher)) continue;
    const { lower, source } = lowerUnderPodman(rootDir);
    out.push({
      name,
      path: res.resolved,
      from: res.from,
      lower,
      lowerSource: source,
      lowerOk: lower !== undefined && isExecutableFile(lower),
      lowerIsCgherd: lower !== undefined && isCgherd(lower, launcher),
    });
  }
  return out;
}

export function takeoverFindings(takeovers: readonly TakeoverFact[]): Finding[] {
  return takeovers.map((t): Finding => {
    const head = `Podman's runtime name ${t.name} runs cgherd (${t.path}, from ${t.from})`;
    if (t.lower === undefined || !t.lowerOk) {
      return {
        id: `podman-takeover:${t.name}`,
        severity: 'error',
        summary: `${head}, but its lower runtime ${t.lower ?? '(none found)'} (${t.lowerSource}) is missing or not executable`,
        advice: `every container that names ${t.name} fails; point "runtime" in ${DEFAULT_CONFIG_FILE} at the real ${t.name}, or \`cgherd install --remove\``,
        exitCode: EXIT.CONFIG,
      };
    }
    if (t.lowerIsCgherd) {
      return {
        id: `podman-takeover:${t.name}`,
        severity: 'error',
        summary: `${head}, and its lower runtime ${t.lower} (${t.lowerSource}) is cgherd too: a loop`,
        advice: `point "runtime" in ${DEFAULT_CONFIG_FILE} at the real ${t.name}`,
        exitCode: EXIT.CONFIG,
      };
    }
    return {
      id: `podman-takeover:${t.name}`,
      severity: 'ok',
      summary: `${head} over ${t.lower} (${t.lowerSource}): containers and archives that name ${t.name} are herded`,
      advice: 'nothing to do',
    };
  });
}
