// On a unified-only host the v1 group is skipped with a visible count (test/run.ts): what
// the host shows (cgroupVersions) and which files run under v1 (usesV1). A unified-only
// host cannot be booted here cheaply, so the detection is tested on mountinfo text.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cgroupVersions } from '../lib/bed/bed.js';
import { usesV1 } from '../run.js';

const HYBRID = [
  '25 1 0:23 / /sys/fs/cgroup rw,nosuid - tmpfs tmpfs ro,mode=755',
  '26 25 0:24 / /sys/fs/cgroup/unified rw,nosuid - cgroup2 cgroup2 rw,nsdelegate',
  '27 25 0:25 / /sys/fs/cgroup/freezer rw,nosuid - cgroup cgroup rw,freezer',
  '28 25 0:26 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid - cgroup cgroup rw,cpu,cpuacct',
].join('\n');
const UNIFIED_ONLY = [
  '22 1 0:20 / / rw - ext4 /dev/vda rw',
  '25 22 0:23 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot',
].join('\n');
const V1_ONLY = '27 25 0:25 / /sys/fs/cgroup/freezer rw - cgroup cgroup rw,freezer';

test('a hybrid host has both versions', () => {
  assert.equal(cgroupVersions(HYBRID), { v1: true, v2: true });
});

test('a unified-only host has no v1', () => {
  assert.equal(cgroupVersions(UNIFIED_ONLY), { v1: false, v2: true });
});

test('a v1-only host has no v2; no cgroup mounts at all, neither', () => {
  assert.equal(cgroupVersions(V1_ONLY), { v1: true, v2: false });
  assert.equal(cgroupVersions('22 1 0:20 / / rw - ext4 /dev/vda rw'), { v1: false, v2: false });
});

test('a file runs under v1 when it names v1 or loops over MODES', () => {
  assert.ok(usesV1(`await inMode('v1', crun, args);`));
  assert.ok(usesV1(`for (const mode of MODES) test(mode, run);`));
  assert.ok(usesV1(`const m = "v1";`));
  assert.not.ok(usesV1(`await inMode('v2', crun, args); // cgroup v1 is not here`));
  assert.not.ok(usesV1(`const PRIVATE_MODES = 1; const v12 = 2;`));
});

test.run();
