import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  PODMAN4_DEFAULTS,
  dropInCreatedDir,
  effectiveEngine,
  isOurDropIn,
  mainConfPaths,
  renderDropIn,
  selectDropIns,
  supportsAppend,
} from '../../src/engines/podman-conf.js';

test('file order: /usr/share, /etc, then the drop-ins; CONTAINERS_CONF alone', () => {
  assert.equal(mainConfPaths({ rootDir: '/', uid: 0, env: {} }), {
    files: ['/usr/share/containers/containers.conf', '/etc/containers/containers.conf'],
    dropInDirs: ['/etc/containers/containers.conf.d'],
  });
  assert.equal(mainConfPaths({ rootDir: '/tmp/r/', uid: 0, env: {} }).dropInDirs, [
    '/tmp/r/etc/containers/containers.conf.d',
  ]);
  assert.equal(mainConfPaths({ rootDir: '/', uid: 0, env: { CONTAINERS_CONF: '/x.conf' } }), {
    files: ['/x.conf'],
    dropInDirs: [],
  });
  const user = mainConfPaths({ rootDir: '/', uid: 1000, env: { HOME: '/home/u' } });
  assert.equal(user.files.at(-1), '/home/u/.config/containers/containers.conf');
  assert.equal(selectDropIns(['b.conf', 'a.conf', '.x.conf.cgherd-backup', 'notes.txt']), [
    'a.conf',
    'b.conf',
  ]);
});

test('later files replace arrays and add runtimes', () => {
  const v = effectiveEngine([
    {
      path: '/a',
      text: '[engine]\nruntime = "crun"\n[engine.runtimes]\ncrun = ["/usr/bin/crun"]\n',
    },
    {
      path: '/b',
      text: '[engine]\nruntime_supports_json = ["crun"]\n[engine.runtimes]\nx = ["/x"]\n',
    },
  ]);
  assert.is(v.runtime, 'crun');
  assert.is(v.runtimeFrom, '/a');
  assert.equal(Object.keys(v.runtimes).sort(), ['crun', 'x']);
  assert.equal(v.runtimeSupportsJson, ['crun']);
  assert.equal(v.runtimeSupportsNoCgroups, [...PODMAN4_DEFAULTS.runtimeSupportsNoCgroups]);
});

test('{append=true} appends; a broken file is reported, not fatal', () => {
  const v = effectiveEngine([
    { path: '/a', text: '[engine]\nruntime_supports_json = ["cgherd", {append=true}]\n' },
    { path: '/b', text: '[engine\n' },
  ]);
  assert.equal(v.runtimeSupportsJson, [...PODMAN4_DEFAULTS.runtimeSupportsJson, 'cgherd']);
  assert.is(v.errors.length, 1);
  assert.is(v.errors[0]?.path, '/b');
});

test('the drop-in for Podman 4 restates the lists; for Podman 5 it appends', () => {
  const before = { runtimeSupportsJson: ['crun', 'runc'], runtimeSupportsNoCgroups: ['crun'] };
  const v4 = renderDropIn({
    launcher: '/usr/bin/cgherd',
    makeDefault: false,
    useAppend: false,
    before,
    createdDir: true,
  });
  assert.ok(isOurDropIn(v4));
  assert.ok(dropInCreatedDir(v4));
  const e4 = effectiveEngine([{ path: '/d', text: v4 }]);
  assert.equal(e4.runtimeSupportsJson, ['crun', 'runc', 'cgherd']);
  assert.equal(e4.runtimeSupportsNoCgroups, ['crun', 'cgherd']);
  assert.equal(e4.runtimes.cgherd, ['/usr/bin/cgherd']);
  assert.is(e4.runtime, '');
  assert.not.match(v4, /, \{append=true\}\]/);

  const v5 = renderDropIn({
    launcher: '/usr/bin/cgherd',
    makeDefault: true,
    useAppend: true,
    before,
    createdDir: false,
  });
  assert.not.ok(dropInCreatedDir(v5));
  assert.match(v5, /runtime_supports_json = \["cgherd", \{append=true\}\]/);
  assert.is(effectiveEngine([{ path: '/d', text: v5 }]).runtime, 'cgherd');
});

test('append only from Podman 5', () => {
  assert.not.ok(supportsAppend('4.3.1'));
  assert.not.ok(supportsAppend(undefined));
  assert.ok(supportsAppend('5.8.6'));
});

test.run();
