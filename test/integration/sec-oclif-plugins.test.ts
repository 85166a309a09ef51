// Issue 18, item 2: no operator command loads code from a place the caller chose. A link
// plugin whose init hook writes a marker file is listed in the user plugin file that oclif
// reads from $CGHERD_DATA_DIR, $XDG_DATA_HOME/cgherd and $HOME/.local/share/cgherd (sudo
// may keep HOME). Control: oclif loaded with its defaults from this package, under the
// same environment, runs the hook (the plugin is real); cgherd's operator face never does.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CGHERD_BIN, REPO_ROOT } from '../lib/bed/bed.js';

const dir = mkdtempSync('/tmp/cgt-oclif-plugins-');
const mark = join(dir, 'MARK');
const plugin = join(dir, 'evil');
mkdirSync(plugin);
writeFileSync(
  join(plugin, 'package.json'),
  JSON.stringify({ name: 'evil', version: '1.0.0', oclif: { hooks: { init: './init.cjs' } } }),
);
writeFileSync(
  join(plugin, 'init.cjs'),
  `require('fs').writeFileSync(${JSON.stringify(mark)}, 'ran');\nmodule.exports = async () => {};\n`,
);
const USER_PJSON = JSON.stringify({
  private: true,
  oclif: { schema: 1, plugins: [{ name: 'evil', type: 'link', root: plugin }] },
});

/** A user plugin file at `dataDir`, and the environment that makes oclif read it there. */
function place(kind: string): Record<string, string> {
  const base = join(dir, kind);
  const env: Record<string, string> = { PATH: '/usr/bin:/bin' };
  let dataDir: string;
  if (kind === 'CGHERD_DATA_DIR') {
    dataDir = join(base, 'data');
    env.CGHERD_DATA_DIR = dataDir;
    env.HOME = base;
  } else if (kind === 'XDG_DATA_HOME') {
    dataDir = join(base, 'cgherd');
    env.XDG_DATA_HOME = base;
    env.HOME = base;
  } else {
    dataDir = join(base, '.local/share/cgherd');
    env.HOME = base;
  }
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(join(dataDir, 'package.json'), USER_PJSON);
  return env;
}

test.after(() => rmSync(dir, { recursive: true, force: true }));

const PLACES = ['CGHERD_DATA_DIR', 'XDG_DATA_HOME', 'HOME'];

for (const kind of PLACES) {
  test(`control: oclif's defaults run the plugin's init hook from ${kind}`, () => {
    rmSync(mark, { force: true });
    const script =
      "const { Config } = await import('@oclif/core');" +
      `const c = await Config.load(${JSON.stringify(REPO_ROOT)});` +
      "await c.runHook('init', { id: 'help', argv: [] });";
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: REPO_ROOT,
      env: place(kind),
      encoding: 'utf8',
    });
    assert.is(r.status, 0, r.stderr);
    assert.ok(existsSync(mark), `control: the plugin did not run from ${kind}`);
  });

  for (const argv of [['help'], ['doctor', '--help'], ['validate', '--explain']]) {
    test(`cgherd ${argv.join(' ')} with a user plugin in ${kind}: not loaded`, () => {
      rmSync(mark, { force: true });
      const r = spawnSync(CGHERD_BIN, argv, { env: place(kind), encoding: 'utf8' });
      assert.is(r.status, 0, r.stderr);
      assert.not.ok(existsSync(mark), `cgherd ${argv.join(' ')} ran the plugin's init hook`);
    });
  }
}

test.run();
