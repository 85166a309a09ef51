// Every config Podman 4.3.1 generated (test/env/capture-podman-configs.sh) must pass.
// Control: the pinned schema as published, compiled here without cgherd's amendment,
// refuses Podman's device configs, so the amendment is what makes them pass.

import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import Ajv04Module from 'ajv-draft-04';
import { validateOciConfigFile } from '../../src/validate/oci-config.js';

const REPO = fileURLToPath(new URL('../../..', import.meta.url));
const PODMAN = join(REPO, 'test/fixtures/oci-configs/podman-4.3.1');
const SPEC = join(REPO, 'schemas/runtime-spec');
const files = readdirSync(PODMAN)
  .filter((f) => f.endsWith('.json'))
  .sort();

test('the Podman capture covers the scenarios the issue names', () => {
  const wanted = [
    'user-numeric',
    'user-name',
    'env',
    'mounts',
    'volumes',
    'tmpfs',
    'ulimits',
    'caps-add-drop',
    'devices',
    'seccomp-profile',
    'read-only',
    'sysctl',
    'resources-memory',
    'resources-cpu',
    'resources-pids',
    'init',
    'healthcheck',
    'annotations',
    'pod-infra',
    'pod-member',
    'restore',
    'restore-import',
    'privileged',
  ];
  for (const name of wanted)
    assert.ok(files.includes(`${name}.json`), `missing fixture ${name}.json`);
});

for (const file of files) {
  test(`podman-4.3.1/${file} is accepted`, () => {
    const outcome = validateOciConfigFile(join(PODMAN, file));
    assert.equal(outcome.ok ? [] : outcome.issues, []);
    assert.ok(outcome.ok);
  });
}

test('control: the unamended schema refuses Podman device modes (file type bits)', () => {
  // A CommonJS module: its class is on .default, for TypeScript and Node alike.
  const ajv = new Ajv04Module.default({ allErrors: true, strict: false });
  for (const name of readdirSync(SPEC).filter((f) => f.endsWith('.json'))) {
    ajv.addSchema(JSON.parse(readFileSync(join(SPEC, name), 'utf8')), name);
  }
  const validate = ajv.getSchema('config-schema.json');
  assert.ok(validate);
  const config: unknown = JSON.parse(readFileSync(join(PODMAN, 'devices.json'), 'utf8'));
  assert.not.ok(validate(config));
  const pointers = (validate.errors ?? []).map((e: { instancePath: string }) => e.instancePath);
  assert.ok(pointers.includes('/linux/devices/0/fileMode'), pointers.join(' '));
  assert.ok(validateOciConfigFile(join(PODMAN, 'devices.json')).ok);
});

test('the ulimits fixture holds a uint64 maximum (unlimited core)', () => {
  assert.match(readFileSync(join(PODMAN, 'ulimits.json'), 'utf8'), '18446744073709551615');
});

test.run();
