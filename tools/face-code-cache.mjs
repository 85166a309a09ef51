// node tools/face-code-cache.mjs SOURCE CACHE: writes the V8 code cache of the runtime
// face's SOURCE (tools/bundle-runtime.mjs) to CACHE. The face is run once first, as
// `cgherd create` over a valid OCI config with /bin/true as the lower runtime, so that the
// cache also holds the functions a create compiles (measured: about half the compile time
// a cache of the top level alone leaves). Without the sample config (a source tree without
// tests) the cache holds what compiles eagerly. Runs in a process of its own: the face
// ends its process, and a cache must be made by a Node started with the flags that will
// load it (V8 rejects one made under other flags).
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

const [source, cacheFile] = process.argv.slice(2).map((arg) => resolve(arg));
const sample = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  'test',
  'fixtures',
  'oci-configs',
  'podman-4.3.1',
  'default.json',
);
const script = new vm.Script(readFileSync(source, 'utf8'), { filename: source });
const save = () => writeFileSync(cacheFile, script.createCachedData(), { mode: 0o644 });

if (!existsSync(sample) || !existsSync('/bin/true')) {
  script.runInThisContext();
  save();
} else {
  const work = mkdtempSync(join(tmpdir(), 'cgherd-face-cache-'));
  copyFileSync(sample, join(work, 'config.json'));
  writeFileSync(join(work, 'cgherd.json'), '{}\n', { mode: 0o644 });
  for (const name of Object.keys(process.env)) {
    if (name.startsWith('CGHERD_')) delete process.env[name];
  }
  Object.assign(process.env, {
    CGHERD_RUNTIME: '/bin/true',
    CGHERD_CONFIG: join(work, 'cgherd.json'),
  });
  const exit = process.exit.bind(process);
  process.exit = (status) => {
    rmSync(work, { recursive: true, force: true });
    if (status !== 0) {
      process.stderr.write(`tools/face-code-cache.mjs: the sample create exited ${status}\n`);
      exit(1);
    }
    save();
    exit(0);
  };
  process.argv = [process.argv[0], source, 'create', '--bundle', work, 'cgherd-build-cache'];
  const module = { exports: {} };
  script.runInThisContext()(module, module.exports, createRequire(source), source);
}
