import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseArgv, optionValue } from '../../src/call/argv.js';
import { inheritedFdCount, isIntercepted } from '../../src/runtime/intercepted.js';

test('conmon create: globals before the command, values in the next word', () => {
  const p = parseArgv([
    '--systemd-cgroup',
    '--log-format=json',
    '--log',
    '/run/x/log.json',
    '--root',
    '/run/r',
    'create',
    '--bundle',
    '/b',
    '--pid-file',
    '/b/pid',
    '--no-pivot',
    '--preserve-fds',
    '2',
    'abc',
  ]);
  assert.is(p.command, 'create');
  assert.is(p.id, 'abc');
  assert.is(p.globals.root, '/run/r');
  assert.is(p.globals.log, '/run/x/log.json');
  assert.is(p.globals.logFormat, 'json');
  assert.ok(p.globals.systemdCgroup);
  assert.is(optionValue(p, 'bundle'), '/b');
  assert.is(optionValue(p, 'preserve-fds'), '2');
  assert.ok(p.options.get('no-pivot'));
});

test('short options and --opt=value forms', () => {
  const p = parseArgv(['create', '-b', '/bundle', '-f', '/cfg.json', 'id1']);
  assert.is(optionValue(p, 'bundle'), '/bundle');
  assert.is(optionValue(p, 'config'), '/cfg.json');
  assert.is(p.id, 'id1');
  const q = parseArgv(['restore', '--bundle=/b', '--image-path=/b/checkpoint', '--detach', 'id2']);
  assert.is(optionValue(q, 'bundle'), '/b');
  assert.is(optionValue(q, 'image-path'), '/b/checkpoint');
  assert.is(q.id, 'id2');
});

test('podman checkpoint argv', () => {
  const p = parseArgv([
    'checkpoint',
    '--image-path',
    '/u/checkpoint',
    '--work-path',
    '/u',
    '--leave-running',
    '--tcp-established',
    'cid',
  ]);
  assert.is(p.id, 'cid');
  assert.is(optionValue(p, 'work-path'), '/u');
  assert.ok(p.options.has('leave-running'));
  assert.ok(isIntercepted(p));
});

test('checkpoint --help is a probe, not intercepted', () => {
  assert.not.ok(isIntercepted(parseArgv(['checkpoint', '--help'])));
  assert.not.ok(isIntercepted(parseArgv(['--root', '/r', 'checkpoint', '-h'])));
});

test('pass-through commands are not intercepted', () => {
  for (const argv of [
    ['state', 'x'],
    ['kill', '--all', 'x', '9'],
    ['delete', '--force', 'x'],
    ['--version'],
    [],
  ]) {
    assert.not.ok(isIntercepted(parseArgv(argv)), argv.join(' '));
  }
});

test('kill: id is the first positional, signal the second', () => {
  const p = parseArgv(['kill', '--all', 'cid', '15']);
  assert.is(p.id, 'cid');
  assert.equal(p.positionals, ['cid', '15']);
});

test('exec: words after the id belong to the process', () => {
  const p = parseArgv(['exec', '--pid-file', '/p', 'cid', 'sh', '-c', 'echo --help']);
  assert.is(p.id, 'cid');
  assert.not.ok(p.help);
  assert.equal(p.positionals, ['cid', 'sh', '-c', 'echo --help']);
});

test('a global value that looks like a command is not the command', () => {
  const p = parseArgv(['--root', 'create', 'state', 'x']);
  assert.is(p.globals.root, 'create');
  assert.is(p.command, 'state');
});

test('inherited descriptors: --preserve-fds plus LISTEN_FDS, bounded', () => {
  assert.is(inheritedFdCount(parseArgv(['create', '--preserve-fds', '2', 'x']), {}), 2);
  assert.is(inheritedFdCount(parseArgv(['create', 'x']), { LISTEN_FDS: '3' }), 3);
  assert.is(
    inheritedFdCount(parseArgv(['create', '--preserve-fds', '1', 'x']), { LISTEN_FDS: '2' }),
    3,
  );
  assert.is(inheritedFdCount(parseArgv(['create', '--preserve-fds', 'nope', 'x']), {}), 0);
  assert.is(inheritedFdCount(parseArgv(['create', '--preserve-fds', '99999', 'x']), {}), 1024);
});

test.run();
