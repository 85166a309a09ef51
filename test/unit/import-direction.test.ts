// Imports point downward only: commands -> operator -> herd / lower / criu -> cgroup ->
// proc. Hooks use the core and the hook contract; the core never imports the runtime
// face, the hooks or the operator face. Read from the TypeScript sources, so a new file
// is checked without being listed here.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));

/** Where a file sits: its folder below src/ ('herd', 'lower', ...), or 'hooks'. */
function area(file: string): string {
  const rel = relative(REPO, file);
  if (rel.startsWith('hooks/')) return 'hooks';
  const parts = rel.split('/');
  return parts.length > 2 ? (parts[1] as string) : (parts[1] as string).replace(/\.ts$/, '');
}

/**
 * Each area and the areas it may import from (itself always). The core's folders are
 * ranked: proc at the bottom, then cgroup, then herd, lower and criu side by side (none
 * imports another), then config.
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
  config: ['lower', 'validate', 'trust'],
  version: [],
  runtime: ['config', 'lower', 'criu', 'proc', 'version', 'hooks', 'trust'],
  hooks: [
    'runtime',
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
  operator: ['herd', 'lower', 'criu', 'cgroup', 'proc', 'config', 'validate', 'trust'],
  commands: ['operator', 'herd', 'lower', 'validate', 'config'],
  cli: ['trust'],
};

/** What hooks may take from the runtime face: the contract and the argv reading. */
const HOOK_RUNTIME_FILES = new Set(['src/runtime/hook.ts', 'src/runtime/argv.ts']);

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
  const specs = [...text.matchAll(/(?:from|import\()\s*'(\.[^']+)'/g)].map((m) => m[1] as string);
  return specs.map((s) => resolve(dirname(file), s.replace(/\.js$/, '.ts')));
}

const files = [...sources(join(REPO, 'src')), ...sources(join(REPO, 'hooks'))];

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
      from === 'hooks' && to === 'runtime'
        ? HOOK_RUNTIME_FILES.has(rel)
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
    [at('src/herd/run.ts'), at('src/runtime/hook.ts')],
    [at('src/criu/config.ts'), at('src/herd/target.ts')],
    [at('src/lower/state.ts'), at('src/herd/index.ts')],
    [at('src/proc/stat.ts'), at('src/cgroup/paths.ts')],
    [at('hooks/index.ts'), at('src/runtime/main.ts')],
    [at('src/operator/exit.ts'), at('src/commands/doctor.ts')],
  ] as const;
  assert.is(wrongImports(bad).length, bad.length);
  assert.equal(wrongImports([[at('hooks/index.ts'), at('src/runtime/hook.ts')]]), []);
});

test.run();
