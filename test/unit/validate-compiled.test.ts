// The generated OCI validator: standalone code (no schema compiled at run time), loaded
// through a V8 code cache that the build made for exactly this source.

import { existsSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SOURCE, SOURCE_SHA256 } from '../../src/validate/generated/oci-config.js';
import { loadCompiledScript } from '../../src/validate/compiled-script.js';

const generated = (name: string): string =>
  fileURLToPath(new URL(`../../src/validate/generated/${name}`, import.meta.url));
const cacheFile = generated(`oci-config.${SOURCE_SHA256.slice(0, 16)}.v8cache`);

type Validator = ((data: unknown) => boolean) & { errors?: { instancePath: string }[] | null };

test('the source is what its sha256 says (the cache is keyed by it)', () => {
  assert.is(createHash('sha256').update(SOURCE).digest('hex'), SOURCE_SHA256);
});

test('the generated code neither compiles schemas nor loads ajv itself', () => {
  assert.not.match(SOURCE, /require\("ajv(-draft-04)?"\)/);
  assert.not.match(SOURCE, /\.compile\(/);
});

test('the build made a code cache for this source, and this Node accepts it', () => {
  assert.ok(existsSync(cacheFile), `${cacheFile} is missing: run make validators`);
  const script = new vm.Script(SOURCE, {
    filename: generated('oci-config.js'),
    cachedData: readFileSync(cacheFile),
  });
  assert.is(script.cachedDataRejected, false);
});

test('without a cache the validator still loads and works', () => {
  const validate = loadCompiledScript(
    SOURCE,
    generated('oci-config.js'),
    '/nonexistent/cgt-val.v8cache',
  ) as Validator;
  assert.is(validate({ ociVersion: '1.0.0' }), true);
  assert.is(validate({ ociVersion: 1 }), false);
  assert.equal(
    (validate.errors ?? []).map((e) => e.instancePath),
    ['/ociVersion'],
  );
});

test.run();
