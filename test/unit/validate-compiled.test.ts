// The generated OCI validators: standalone code (no schema compiled at run time), loaded
// through V8 code caches that the build made for exactly these sources.

import { existsSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SOURCE, SOURCE_SHA256 } from '../../src/validate/generated/oci-config-full.cjs';
import { SOURCE_SHA256 as PASS_SHA256 } from '../../src/validate/generated/oci-config-pass.js';
import { loadCompiledFile, loadCompiledScript } from '../../src/trust/compiled-script.js';

const generated = (name: string): string =>
  fileURLToPath(new URL(`../../src/validate/generated/${name}`, import.meta.url));
const fullCache = generated(`oci-config-full.${SOURCE_SHA256.slice(0, 16)}.v8cache`);
const passStem = `oci-config-pass.${PASS_SHA256.slice(0, 16)}`;
const passSourceFile = generated(`${passStem}.source.js`);
const passCache = generated(`${passStem}.v8cache`);

type Validator = ((data: unknown) => boolean) & { errors?: { instancePath: string }[] | null };

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

function passSource(): string {
  assert.ok(existsSync(passSourceFile), `${passSourceFile} is missing: run make validators`);
  return readFileSync(passSourceFile, 'utf8');
}

function cacheAccepted(source: string, filename: string, cacheFile: string): boolean {
  assert.ok(existsSync(cacheFile), `${cacheFile} is missing: run make validators`);
  const script = new vm.Script(source, { filename, cachedData: readFileSync(cacheFile) });
  return !script.cachedDataRejected;
}

test('each source is what its sha256 says (the caches are keyed by it)', () => {
  assert.is(sha256(SOURCE), SOURCE_SHA256);
  assert.is(sha256(passSource()), PASS_SHA256);
});

test('the generated code neither compiles schemas nor loads ajv itself', () => {
  for (const source of [SOURCE, passSource()]) {
    assert.not.match(source, /require\("ajv(-draft-04)?"\)/);
    assert.not.match(source, /\.compile\(/);
  }
});

test('the pass validator is the allErrors-off one, without error objects', () => {
  const pass = passSource();
  // allErrors off returns at the first error; the full validator never does.
  assert.match(pass, 'return false;');
  assert.not.match(SOURCE, 'return false;');
  // Error objects are gone; the options passed to referenced validators stay.
  assert.match(SOURCE, 'schemaPath:');
  assert.not.match(pass, 'schemaPath:');
  assert.is(
    pass.match(/parentData:/g)?.length,
    SOURCE.match(/parentData:/g)?.length,
    'every call of a referenced validator keeps its options',
  );
  assert.ok(pass.length < SOURCE.length * 0.7, `pass ${pass.length}, full ${SOURCE.length}`);
});

test('the build made a code cache for each source, and this Node accepts it', () => {
  assert.ok(cacheAccepted(SOURCE, generated('oci-config-full.cjs'), fullCache));
  assert.ok(cacheAccepted(passSource(), passSourceFile, passCache));
});

test('without a cache the validators still load and work', () => {
  const full = loadCompiledScript(
    SOURCE,
    generated('oci-config-full.cjs'),
    '/nonexistent/cgt-val.v8cache',
  ) as Validator;
  assert.is(full({ ociVersion: '1.0.0' }), true);
  assert.is(full({ ociVersion: 1 }), false);
  assert.equal(
    (full.errors ?? []).map((e) => e.instancePath),
    ['/ociVersion'],
  );
  const pass = loadCompiledFile(passSourceFile, '/nonexistent/cgt-val.v8cache') as Validator;
  assert.is(pass({ ociVersion: '1.0.0' }), true);
  assert.is(pass({ ociVersion: 1 }), false);
});

test('a missing pass source is reported as such, not thrown', () => {
  assert.is(loadCompiledFile('/nonexistent/cgt-val.source.js', passCache), undefined);
});

test.run();
