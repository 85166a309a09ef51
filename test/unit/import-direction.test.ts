// Imports point downward only: commands -> operator -> engines / herd / lower / criu ->
// cgroup -> proc. The operator's subfolders (doctor, install, container) never import
// each other: what two of them share lives in src/engines/ or in a file of the operator's
// own folder. The runtime face runs the hooks; both stand on src/call/ (the hook contract,
// the argv grammar, the per-call context) and the core, and the hooks never import the
// runtime face. The core never imports the runtime face, the hooks or the operator face.
// bench/ and demo/ sit on top: the test bed's library
// (through one harness file each, so what they take from test/lib is named in one place)
// and the core. Read from the TypeScript sources, so a new file is checked without being
// listed here. No file reaches itself through its imports.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));

/** Top-level folders that are one area each; test/lib is the test bed's library. */
const WHOLE_AREAS: Readonly<Record<string, string>> = {
  'hooks/': 'hooks',
  'bench/': 'bench',
  'demo/': 'demo',
  'test/lib/': 'test-lib',
};

/** Where a file sits: its folder below src/ ('herd', 'lower', ...), a subfolder of the
 *  operator ('operator/doctor'), or one of WHOLE_AREAS. */
function area(file: string): string {
  const rel = relative(REPO, file);
  for (const [prefix, name] of Object.entries(WHOLE_AREAS)) if (rel.startsWith(prefix)) return name;
  const parts = rel.split('/');
  if (parts[1] === 'operator' && parts.length > 3) return `operator/${parts[2] as string}`;
  return parts.length > 2 ? (parts[1] as string) : (parts[1] as string).replace(/\.ts$/, '');
}

/**
 * Each area and the areas it may import from (itself always). The core's folders are
 * ranked: proc at the bottom, then cgroup, then herd, lower and criu side by side (none
 * imports another), then config. engines (Podman's, containerd's and CRI-O's configuration)
 * imports nothing of cgherd's. 'operator' is the operator's own folder: the files its
 * subfolders share (base-command, exit codes, the launcher's path).
 */
const MAY_IMPORT: Readonly<Record<string, readonly string[]>> = {
  proc: [],
  cgroup: ['proc'],
  herd: ['cgroup', 'proc'],
  lower: ['cgroup', 'proc'],
  criu: ['cgroup', 'proc', 'trust'],
  watchdog: ['cgroup', 'proc'],
  trust: [],
  proof: ['trust', 'proc'],
  validate: ['trust'],
  config: ['lower', 'validate', 'trust', 'proc'],
  version: [],
  call: ['config', 'lower', 'criu', 'proc'],
  runtime: ['call', 'config', 'lower', 'criu', 'proc', 'version', 'hooks', 'trust'],
  hooks: [
    'call',
    'herd',
    'lower',
    'criu',
    'watchdog',
    'cgroup',
    'proc',
    'validate',
    'config',
    'proof',
  ],
  engines: [],
  operator: ['proc'],
  'operator/doctor': ['operator', 'engines', 'lower', 'criu', 'cgroup', 'proc', 'config', 'trust'],
  'operator/install': ['operator', 'engines', 'lower', 'validate'],
  'operator/container': ['operator', 'herd', 'lower', 'proc', 'config'],
  commands: [
    'operator',
    'operator/doctor',
    'operator/install',
    'operator/container',
    'herd',
    'validate',
    'config',
  ],
  bench: ['herd'],
  demo: [],
  cli: ['trust'],
};

/** The one file of bench/ and of demo/ that may import the test bed's library. */
const HARNESS_FILES = new Set(['bench/harness.ts', 'demo/harness.ts']);

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (name === 'generated') continue;
    if (statSync(path).isDirectory()) out.push(...sources(path));
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

function localImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/(?:from|import\(?)\s*'(\.[^']+)'/g)].map((m) => m[1] as string);
  return specs.map((s) => resolve(dirname(file), s.replace(/\.js$/, '.ts')));
}

const files = ['src', 'hooks', 'bench', 'demo'].flatMap((dir) => sources(join(REPO, dir)));

test('the rules cover every area', () => {
  const unknown = [...new Set(files.map(area))].filter((a) => !(a in MAY_IMPORT));
  assert.equal(unknown, []);
});

/** The imports, as `file -> target`, that break the rules. */
function wrongImports(edges: readonly (readonly [string, string])[]): string[] {
  const wrong: string[] = [];
  for (const [file, target] of edges) {
    const from = area(file);
    const to = area(target);
    const rel = relative(REPO, target);
    if (to === from) continue;
    const allowed =
      to === 'test-lib' && (from === 'bench' || from === 'demo')
        ? HARNESS_FILES.has(relative(REPO, file))
        : (MAY_IMPORT[from] ?? []).includes(to);
    if (!allowed) wrong.push(`${relative(REPO, file)} -> ${rel}`);
  }
  return wrong;
}

test('every import points downward', () => {
  const edges = files.flatMap((file) => localImports(file).map((t) => [file, t] as const));
  assert.ok(edges.length > 100, `only ${edges.length} imports read`);
  assert.equal(wrongImports(edges), []);
});

test('control: upward and sideways imports are caught', () => {
  const at = (p: string): string => join(REPO, p);
  const bad = [
    [at('src/herd/run.ts'), at('src/call/hook.ts')],
    [at('hooks/index.ts'), at('src/runtime/forward.ts')],
    [at('src/call/hook.ts'), at('hooks/index.ts')],
    [at('src/call/call-context.ts'), at('src/runtime/debug-log.ts')],
    [at('src/criu/config.ts'), at('src/herd/target.ts')],
    [at('src/lower/state.ts'), at('src/herd/index.ts')],
    [at('src/proc/stat.ts'), at('src/cgroup/paths.ts')],
    [at('hooks/index.ts'), at('src/runtime/main.ts')],
    [at('src/operator/exit.ts'), at('src/commands/doctor.ts')],
    [at('src/operator/install/command.ts'), at('src/operator/doctor/probe.ts')],
    [at('src/operator/doctor/probe.ts'), at('src/operator/install/drop-in.ts')],
    [at('src/operator/base-command.ts'), at('src/operator/doctor/findings.ts')],
    [at('src/engines/podman-conf-read.ts'), at('src/operator/exit.ts')],
    [at('bench/herd.ts'), at('src/operator/doctor/probe.ts')],
    [at('demo/seed.ts'), at('src/runtime/main.ts')],
    [at('bench/cycle.ts'), at('test/lib/bed/bed.ts')],
    [at('demo/seed.ts'), at('test/lib/scenario/scenario.ts')],
  ] as const;
  assert.is(wrongImports(bad).length, bad.length);
  assert.equal(wrongImports([[at('hooks/index.ts'), at('src/call/hook.ts')]]), []);
  assert.equal(wrongImports([[at('src/runtime/main.ts'), at('src/call/argv.ts')]]), []);
  assert.equal(
    wrongImports([
      [at('bench/harness.ts'), at('test/lib/bed/bed.ts')],
      [at('demo/harness.ts'), at('test/lib/scenario/scenario.ts')],
    ]),
    [],
  );
});

/** The first import cycle found, as the files around it; undefined when there is none. */
function firstCycle(edges: readonly (readonly [string, string])[]): string[] | undefined {
  const next = new Map<string, string[]>();
  for (const [from, to] of edges) next.set(from, [...(next.get(from) ?? []), to]);
  const done = new Set<string>();
  const path: string[] = [];
  const visit = (file: string): string[] | undefined => {
    const at = path.indexOf(file);
    if (at >= 0) return [...path.slice(at), file].map((f) => relative(REPO, f));
    if (done.has(file)) return undefined;
    path.push(file);
    for (const to of next.get(file) ?? []) {
      const cycle = visit(to);
      if (cycle) return cycle;
    }
    path.pop();
    done.add(file);
    return undefined;
  };
  for (const file of next.keys()) {
    const cycle = visit(file);
    if (cycle) return cycle;
  }
  return undefined;
}

test('no file imports itself through others (type imports count)', () => {
  const edges = files.flatMap((file) => localImports(file).map((t) => [file, t] as const));
  assert.is(firstCycle(edges), undefined);
});

test('control: a loop of imports is caught', () => {
  const at = (p: string): string => join(REPO, p);
  const loop = [
    [at('src/operator/doctor/findings.ts'), at('src/operator/doctor/probe.ts')],
    [at('src/operator/doctor/probe.ts'), at('src/operator/doctor/takeover.ts')],
    [at('src/operator/doctor/takeover.ts'), at('src/operator/doctor/findings.ts')],
  ] as const;
  assert.equal(firstCycle(loop)?.length, 4);
  assert.is(firstCycle(loop.slice(0, 2)), undefined);
});

test.run();
