// The broken OCI configs of validate-broken.test.ts, as edits of a Podman config, shared
// with validate-pass.test.ts (the pass and full validators must agree on each of them).

export type Json = Record<string, unknown>;
export type Edit = (c: Json) => void;

const obj = (c: Json, key: string): Json => c[key] as Json;

export const BROKEN = {
  uidAsString: (c) => (obj(obj(c, 'process'), 'user').uid = '0'),
  argsAsString: (c) => (obj(c, 'process').args = 'sleep 600'),
  mountDestinationAsNumber: (c) => (((c.mounts as Json[])[0] as Json).destination = 5),
  noOciVersion: (c) => delete c.ociVersion,
  noRootPath: (c) => delete obj(c, 'root').path,
  noProcessCwd: (c) => delete obj(c, 'process').cwd,
  badNamespaceType: (c) => (((obj(c, 'linux').namespaces as Json[])[1] as Json).type = 'bogus'),
  badSeccompAction: (c) => (obj(obj(c, 'linux'), 'seccomp').defaultAction = 'SCMP_ACT_MAYBE'),
  badRlimitType: (c) => (obj(c, 'process').rlimits = [{ type: 'nofile', soft: 1, hard: 1 }]),
  negativeUid: (c) => (obj(obj(c, 'process'), 'user').uid = -1),
  annotationNotString: (c) => (obj(c, 'annotations')['a/b~c'] = 7),
  twoErrors: (c) => {
    delete c.ociVersion;
    obj(obj(c, 'process'), 'user').uid = 'x';
  },
} satisfies Record<string, Edit>;

/** uint64 and int64 limits in the text (JSON.stringify could not write them exactly). */
export function withIntegerLimits(base: string): string {
  return base
    .replace(
      /"rlimits":\s*\[/,
      '"rlimits": [{"type": "RLIMIT_CORE", "soft": 18446744073709551615, "hard": 18446744073709551615},',
    )
    .replace(
      /"resources":\s*\{/,
      '"resources": {"memory": {"limit": 9223372036854775807, "swap": -9223372036854775808},',
    );
}

/** A config over 10 MB: valid with string env entries, a million errors with numbers. */
export function hugeEnv(config: Json, valid: boolean): Json {
  obj(config, 'process').env = valid
    ? Array.from({ length: 220_000 }, (_, i) => `VAR_${i}=${'x'.repeat(40)}`)
    : Array.from({ length: 1_000_000 }, (_, i) => i * 1000);
  return config;
}
