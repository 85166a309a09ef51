// bin/cgherd (sh, fast path) and src/config/load.ts (Node) must pick the same lower
// runtime in every case, or pass-through and intercepted commands would talk to different
// runtimes. Each is asked `cgherd --version`, which runs the lower runtime's `--version`:
// the fake runtimes here print their own path, a real crun its version. (No variable
// turns a runtime command into a question any more: that made every command a no-op
// when it leaked into an environment; `cgherd doctor --json` reports the lower runtime.)

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import {
  accessSync,
  chmodSync,
  constants,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { STANDARD_LOCATIONS } from '../../src/lower/locate.js';
import { GLOBAL_VALUE_OPTIONS } from '../../src/lower/options.js';
import { INTERCEPTED_COMMANDS } from '../../src/runtime/intercepted.js';
import { readdirSync } from 'node:fs';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const LAUNCHER = join(REPO, 'bin/cgherd');
// The file the launcher runs for the Node path (built by tools/bundle-runtime.mjs).
const NODE_MAIN = join(REPO, 'dist/src/cgherd-runtime.cjs');
const VERSION = (
  JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }
).version;
const dir = mkdtempSync(join(tmpdir(), 'cgt-rule-'));
const IDENTIFY = '#!/bin/sh\nprintf "lower=%s\\n" "$0"\n';
const fake = join(dir, 'fake-crun');
writeFileSync(fake, IDENTIFY);
chmodSync(fake, 0o755);
const fake2 = join(dir, 'fake-crun-2');
writeFileSync(fake2, IDENTIFY);
chmodSync(fake2, 0o755);
const notExec = join(dir, 'not-exec');
writeFileSync(notExec, '');

function conf(name: string, text: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

// The unit group needs no runtime: what the standard locations give depends on the host,
// so the expected answer is read from the host (either way, sh and Node must agree).
const standardCrun = STANDARD_LOCATIONS.find((path) => {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
});
const NO_RUNTIME = /no lower runtime found/;

interface Answer {
  status: number | null;
  out: string;
  err: string;
}

function ask(cmd: string, args: string[], env: Record<string, string>): Answer {
  const r = spawnSync(cmd, args, { env, encoding: 'utf8' });
  return { status: r.status, out: r.stdout.trim(), err: r.stderr.trim() };
}

/** What `cgherd --version` prints over `lower`. */
function versionOver(lower: string): string {
  const own = spawnSync(lower, ['--version'], { encoding: 'utf8', env: {} }).stdout;
  return `cgherd version ${VERSION}\n${own}`.trim();
}

type Expect =
  | { lower: string }
  /** The standard search; with `warning`, because the file was broken and ignored. */
  | { standard: true; warning?: RegExp }
  | { error: RegExp }
  /** Depends on the host (its /etc/cgherd/config.json): only the agreement counts. */
  | { any: true };

const CASES: { name: string; env: Record<string, string>; expect: Expect }[] = [
  { name: 'CGHERD_RUNTIME', env: { CGHERD_RUNTIME: fake }, expect: { lower: fake } },
  {
    name: 'config runtime',
    env: { CGHERD_CONFIG: conf('a.json', `{ "runtime": "${fake}" }`) },
    expect: { lower: fake },
  },
  {
    name: 'config over several lines with other fields',
    env: {
      CGHERD_CONFIG: conf(
        'b.json',
        `{\n  "validate": "warn",\n  "runtime" :\n "${fake}",\n  "herd": true\n}\n`,
      ),
    },
    expect: { lower: fake },
  },
  {
    name: 'config with a UTF-8 byte-order mark',
    env: {
      CGHERD_CONFIG: conf(
        'bom.json',
        Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`{"runtime":"${fake}"}\n`)]),
      ),
    },
    expect: { lower: fake },
  },
  {
    name: "config above the launcher's 4 KiB (30 KB of padding)",
    env: {
      CGHERD_CONFIG: conf(
        'big.json',
        `{\n  "validate": "warn",${'\n'.padEnd(30_000, ' ')}"runtime": "${fake}"\n}\n`,
      ),
    },
    expect: { lower: fake },
  },
  {
    name: "config above Node's 64 KiB cap",
    env: {
      CGHERD_CONFIG: conf('huge.json', `{"runtime": "${fake}",${' '.repeat(70_000)}"herd": true}`),
    },
    expect: {
      standard: true,
      warning: /huge\.json is 70\d{3} bytes; a config file may have at most 65536/,
    },
  },
  {
    name: 'CGHERD_RUNTIME beats the config',
    env: {
      CGHERD_RUNTIME: fake2,
      CGHERD_CONFIG: conf('c.json', `{"runtime":"${fake}"}`),
    },
    expect: { lower: fake2 },
  },
  {
    name: 'config without runtime: standard location',
    env: { CGHERD_CONFIG: conf('d.json', '{"validate":"off"}') },
    expect: { standard: true },
  },
  { name: 'no PATH, no HOME, default config', env: {}, expect: { any: true } },
  {
    name: 'a named config file that does not exist',
    env: { CGHERD_CONFIG: join(dir, 'absent.json') },
    expect: { standard: true, warning: /config file: cannot read .*absent\.json: no such file/ },
  },
  {
    name: 'relative CGHERD_RUNTIME',
    env: { CGHERD_RUNTIME: 'crun' },
    expect: { error: /not an absolute path/ },
  },
  {
    name: 'non-executable CGHERD_RUNTIME',
    env: { CGHERD_RUNTIME: notExec },
    expect: { error: /not executable/ },
  },
  {
    name: 'nested runtime key is not taken',
    env: { CGHERD_CONFIG: conf('e.json', `{"x": {"runtime": "${fake}"}}`) },
    expect: { standard: true, warning: /e\.json: field/ },
  },
  {
    name: 'broken JSON',
    env: { CGHERD_CONFIG: conf('f.json', `{"runtime": "${fake}"`) },
    expect: { standard: true, warning: /not valid JSON/ },
  },
  {
    name: 'empty object',
    env: { CGHERD_CONFIG: conf('h.json', ' {\n}\n') },
    expect: { standard: true },
  },
  {
    name: 'every field, valid',
    env: {
      CGHERD_CONFIG: conf(
        'i.json',
        `{"runtime":"${fake}","validate":"off","herd":false,"restoreCgroupRoot":"always",` +
          `"debugLog":"/tmp/cgherd-debug.log"}`,
      ),
    },
    expect: { lower: fake },
  },
  {
    name: 'empty file',
    env: { CGHERD_CONFIG: conf('j.json', '\n') },
    expect: { standard: true, warning: /empty/ },
  },
  {
    name: 'trailing comma',
    env: { CGHERD_CONFIG: conf('k.json', `{"runtime":"${fake}",}`) },
    expect: { standard: true, warning: /not valid JSON/ },
  },
  {
    name: 'duplicate key',
    env: { CGHERD_CONFIG: conf('dup.json', `{"runtime":"${fake}","runtime":"${fake2}"}`) },
    expect: { standard: true, warning: /key "runtime" twice/ },
  },
  {
    name: 'unknown key',
    env: { CGHERD_CONFIG: conf('l.json', `{"runtime":"${fake}","herds":true}`) },
    expect: { standard: true, warning: /l\.json/ },
  },
  {
    name: 'bad enum value beside a good runtime',
    env: { CGHERD_CONFIG: conf('m.json', `{"runtime":"${fake}","validate":"sometimes"}`) },
    expect: { standard: true, warning: /field \/validate/ },
  },
  {
    name: 'bad restoreCgroupRoot',
    env: { CGHERD_CONFIG: conf('r.json', `{"runtime":"${fake}","restoreCgroupRoot":"auto "}`) },
    expect: { standard: true, warning: /field \/restoreCgroupRoot/ },
  },
  {
    name: 'non-boolean herd',
    env: { CGHERD_CONFIG: conf('n.json', `{"runtime":"${fake}","herd":"yes"}`) },
    expect: { standard: true, warning: /field \/herd/ },
  },
  {
    name: 'relative debugLog',
    env: { CGHERD_CONFIG: conf('o.json', `{"runtime":"${fake}","debugLog":"debug.log"}`) },
    expect: { standard: true, warning: /field \/debugLog/ },
  },
  {
    name: 'relative runtime',
    env: { CGHERD_CONFIG: conf('p.json', '{"runtime":"crun"}') },
    expect: { standard: true, warning: /field \/runtime/ },
  },
  {
    name: 'unquoted value',
    env: { CGHERD_CONFIG: conf('q.json', `{"runtime":"${fake}","validate": enforce}`) },
    expect: { standard: true, warning: /not valid JSON/ },
  },
  {
    name: 'runtime that is not executable, from the file',
    env: { CGHERD_CONFIG: conf('g.json', `{"runtime": "${notExec}"}`) },
    expect: { error: /not executable/ },
  },
];

for (const c of CASES) {
  test(`same lower runtime from sh and Node: ${c.name}`, () => {
    const sh = ask(LAUNCHER, ['--version'], c.env);
    const node = ask(process.execPath, [NODE_MAIN, '--version'], c.env);
    assert.equal(sh, node);
    const e = c.expect;
    if ('any' in e) return;
    if ('error' in e || ('standard' in e && standardCrun === undefined)) {
      // An error: Node reports it (the launcher defers to Node), one record, non-zero.
      assert.is.not(sh.status, 0, `sh: ${sh.out}`);
      assert.match(sh.err, 'error' in e ? e.error : NO_RUNTIME);
      assert.is(sh.err.split('\n').length, 1);
      return;
    }
    assert.is(sh.status, 0, sh.err);
    if ('lower' in e) {
      assert.is(sh.out, `cgherd version ${VERSION}\nlower=${e.lower}`);
      assert.is(sh.err, '');
      return;
    }
    assert.is(sh.out, versionOver(standardCrun as string));
    if (e.warning === undefined) {
      assert.is(sh.err, '');
    } else {
      // One line, naming the problem and the runtime used instead.
      assert.is(sh.err.split('\n').length, 1, sh.err);
      assert.match(sh.err, /^cgherd: warning: ignoring the broken config file/);
      assert.match(sh.err, e.warning);
      assert.ok(sh.err.endsWith(`uses ${standardCrun as string} (standard search)`), sh.err);
    }
  });
}

// The launcher's lists of the crun locations and of the global options that take a value
// are generated from src/lower/ (tools/gen-launcher-lists.mjs); `make build` fails when
// they differ. Here: the launcher in the tree is what the tool generates, a stale copy is
// caught, and the lists hold the source's entries.
const GEN = join(REPO, 'tools/gen-launcher-lists.mjs');

function genCheck(file: string): Answer {
  return ask(process.execPath, [GEN, '--file', file], {});
}

test("the launcher's generated lists are what src/lower/ gives", () => {
  assert.equal(genCheck(LAUNCHER), { status: 0, out: '', err: '' });
  const text = readFileSync(LAUNCHER, 'utf8');
  assert.ok(text.includes(`for candidate in ${STANDARD_LOCATIONS.join(' ')}; do`));
  assert.ok(text.includes(`${Object.keys(GLOBAL_VALUE_OPTIONS).join(' | ')}) skip=1 ;;`));
});

test('control: a launcher whose generated list lost an entry fails the check, --write mends it', () => {
  const copy = join(dir, 'launcher-copy');
  const text = readFileSync(LAUNCHER, 'utf8');
  const stale = text.replace(' | --rootless) skip=1 ;;', ') skip=1 ;;');
  assert.is.not(stale, text);
  writeFileSync(copy, stale);
  const r = genCheck(copy);
  assert.is(r.status, 1);
  assert.match(r.err, /global-options-with-value differ from src\/lower\//);
  assert.is(ask(process.execPath, [GEN, '--write', '--file', copy], {}).status, 0);
  assert.is(readFileSync(copy, 'utf8'), text);
});

test('the launcher sends the same commands to Node as intercepted.ts, and every operator command', () => {
  const text = readFileSync(LAUNCHER, 'utf8');
  const runtime = /\n(create[^)]*)\) via_node=runtime ;;/.exec(text);
  assert.ok(runtime, 'runtime case not found in bin/cgherd');
  const routed = [...(runtime[1] ?? '').split('|').map((w) => w.trim()), 'checkpoint'];
  assert.match(text, /\ncheckpoint\)\n\tvia_node=runtime/);
  assert.equal(routed.sort(), [...INTERCEPTED_COMMANDS].sort());
  const cli = /\n([a-z |]+)\) via_node=cli ;;/.exec(text);
  assert.ok(cli, 'operator case not found in bin/cgherd');
  const operator = (cli[1] ?? '').split('|').map((w) => w.trim());
  const commands = readdirSync(join(REPO, 'dist/src/commands')).map((f) => f.replace(/\.js$/, ''));
  for (const command of commands)
    assert.ok(operator.includes(command), `${command} not routed to Node`);
});

test("the launcher's config check knows every key and value of the config schema", () => {
  const text = readFileSync(LAUNCHER, 'utf8');
  const schema = JSON.parse(
    readFileSync(join(REPO, 'schemas/cgherd-config.schema.json'), 'utf8'),
  ) as { properties: Record<string, { enum?: string[]; type?: string }> };
  for (const [key, rule] of Object.entries(schema.properties)) {
    // An unknown key sends every pass-through command to Node: slower, not wrong.
    if (rule.enum) {
      for (const value of rule.enum)
        assert.ok(text.includes(`${key}=\\"${value}\\"`), `${key}=${value}`);
    } else if (rule.type === 'integer') {
      assert.ok(text.includes(`${key}=[0-9]*)`) && text.includes('*[!0-9]*) return 1'), key);
    } else if (rule.type === 'boolean') {
      assert.ok(text.includes(`${key}=true`) && text.includes(`${key}=false`), key);
    } else {
      assert.ok(text.includes(`${key}=\\"/*\\"`), key);
    }
  }
});

test('the launcher version matches package.json', () => {
  const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string };
  const text = readFileSync(LAUNCHER, 'utf8');
  assert.match(text, `printf 'cgherd version %s\\n' ${pkg.version}`);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
