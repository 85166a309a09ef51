import { test } from 'uvu';
import * as assert from 'uvu/assert';
// containers.conf through smol-toml: what Podman reads, and what it refuses.

import { parseToml as parseTables, tomlGet, TomlError } from '../../src/engines/toml.js';

/** smol-toml's tables have no prototype; as plain objects they compare with assert.equal. */
const parseToml = (text: string) =>
  JSON.parse(JSON.stringify(parseTables(text))) as ReturnType<typeof parseTables>;

test('tables, dotted keys, comments and multi-line arrays', () => {
  const t = parseToml(`
# comment
[engine]
runtime = "crun" # trailing
conmon_path = [
    "/usr/bin/conmon",   # one
    '/usr/sbin/conmon',
]
[engine.runtimes]
crun = ["/usr/bin/crun", "/usr/local/bin/crun"]
"my runtime" = ["/opt/x"]
a.b = 1
`);
  assert.is(tomlGet(t, ['engine', 'runtime']), 'crun');
  assert.equal(tomlGet(t, ['engine', 'conmon_path']), ['/usr/bin/conmon', '/usr/sbin/conmon']);
  assert.equal(tomlGet(t, ['engine', 'runtimes', 'crun']), [
    '/usr/bin/crun',
    '/usr/local/bin/crun',
  ]);
  assert.equal(tomlGet(t, ['engine', 'runtimes', 'my runtime']), ['/opt/x']);
  assert.is(tomlGet(t, ['engine', 'runtimes', 'a', 'b']), 1);
});

test('scalars, escapes, inline tables and the append attribute', () => {
  const t = parseToml(
    'a = true\nb = -12_000\nc = 1.5e3\nd = "tab\\there \\u00e9"\ne = """\nline1\nline2"""\n' +
      "f = '''raw\\n'''\ng = [\"x\", {append=true}]\nh = {x = 1, y = 'z'}\n",
  );
  assert.is(t.a, true);
  assert.is(t.b, -12000);
  assert.is(t.c, 1500);
  assert.is(t.d, 'tab\there é');
  assert.is(t.e, 'line1\nline2');
  assert.is(t.f, 'raw\\n');
  assert.equal(t.g, ['x', { append: true }]);
  assert.equal(t.h, { x: 1, y: 'z' });
});

test('arrays of tables', () => {
  const t = parseToml('[[x]]\na = 1\n[[x]]\na = 2\n');
  assert.equal(t.x, [{ a: 1 }, { a: 2 }]);
});

test('errors name the line', () => {
  const cases = [
    '[engine]\nruntime = \n',
    '[engine\n',
    'a = "open\n',
    'a = 1\na = 2\n',
    'a = [1, 2\n',
    'a = 1 b\n',
  ];
  for (const text of cases) {
    try {
      parseToml(text);
      assert.unreachable(`accepted ${JSON.stringify(text)}`);
    } catch (err) {
      assert.instance(err, TomlError, text);
      assert.match((err as Error).message, /^line \d+: /);
    }
  }
  try {
    parseToml('[a]\nb = 1\n\nc = @\n');
    assert.unreachable('accepted c = @');
  } catch (err) {
    assert.instance(err, TomlError);
    assert.is((err as TomlError).line, 4);
  }
});

// Each of these was accepted by the hand-written parser that smol-toml replaced; TOML 1.0
// (and Podman's BurntSushi/toml) refuses them.
const REFUSED: readonly (readonly [string, string, number])[] = [
  ['a table defined twice', '[engine]\nruntime = "crun"\n[engine]\nx = 1\n', 3],
  ['a leading zero', '[engine]\nnum_locks = 01\n', 2],
  ['a doubled underscore', 'a = 1__2\n', 1],
  ['an impossible date', 'a = 2024-13-99\n', 1],
  ['an inline table reopened as a table', 'a = {x = 1}\n[a]\ny = 2\n', 2],
];

for (const [what, text, line] of REFUSED) {
  test(`refused: ${what}`, () => {
    try {
      parseToml(text);
      assert.unreachable(`accepted ${JSON.stringify(text)}`);
    } catch (err) {
      assert.instance(err, TomlError, what);
      assert.is((err as TomlError).line, line);
      assert.match((err as Error).message, new RegExp(`^line ${line}: \\S`));
    }
  });
}

test('control: the same documents made valid are accepted', () => {
  assert.equal(parseToml('[engine]\nruntime = "crun"\nx = 1\n'), {
    engine: { runtime: 'crun', x: 1 },
  });
  assert.is(tomlGet(parseToml('[engine]\nnum_locks = 1\n'), ['engine', 'num_locks']), 1);
  assert.is(parseToml('a = 1_2\n').a, 12);
  assert.ok(parseTables('a = 2024-12-01\n').a instanceof Date);
  assert.equal(parseToml('a = {x = 1}\n[b]\ny = 2\n'), { a: { x: 1 }, b: { y: 2 } });
});

test("the host's own containers.conf parses", async () => {
  const { readFileSync, existsSync } = await import('node:fs');
  const path = '/usr/share/containers/containers.conf';
  if (!existsSync(path)) return;
  const t = parseToml(readFileSync(path, 'utf8'));
  assert.ok(tomlGet(t, ['containers']) !== undefined);
});

test.run();
