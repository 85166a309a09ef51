import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cgroupRootLines, criuConfigText } from '../../src/criu/config.js';
import {
  cgroupManager,
  cgroupsPathFromConfig,
  crunCgroupfsPath,
  restoreBundle,
  restoreImagePath,
} from '../../src/lower/path-rules.js';
import { needsFor, restoreCgroupRootWanted } from '../../src/lower/needs.js';
import { parseVersionOutput } from '../../src/lower/version.js';
import { CGROUP_MAGIC, IMG_COMMON_MAGIC, parseCgroupImage } from '../../src/criu/image.js';
import { parseArgv, restoreLocation } from '../../src/call/argv.js';

const CRUN_181 = `crun version 1.8.1
commit: f8a096be060b22ccd3d5f3ebe44108517fbf6c30
rundir: /run/crun
spec: 1.0.0
+CAP +SECCOMP +EBPF +CRIU +YAJL
`;

test('version: crun, runc, youki; +CRIU seen or not', () => {
  assert.equal(parseVersionOutput(CRUN_181)?.version, [1, 8, 1]);
  assert.is(parseVersionOutput(CRUN_181)?.criu, true);
  assert.is(parseVersionOutput(CRUN_181.replace('+CRIU ', ''))?.criu, false);
  const runc = parseVersionOutput('runc version 1.1.15\ncommit: v1.1.15\nspec: 1.0.2-dev\n');
  assert.equal([runc?.name, runc?.version, runc?.criu], ['runc', [1, 1, 15], undefined]);
  assert.equal(parseVersionOutput('crun version 1.21\n')?.version, [1, 21, 0]);
  assert.is(parseVersionOutput('nothing here'), undefined);
});

test('needs table: crun <= 1.20 restores into the dumped cgroup; 1.21+ and runc do not', () => {
  const v = (text: string) => needsFor(parseVersionOutput(text)).restoreCgroupRoot;
  assert.is(v('crun version 1.8.1'), true);
  assert.is(v('crun version 1.19'), true);
  assert.is(v('crun version 1.20'), true);
  assert.is(v('crun version 1.21'), false);
  assert.is(v('crun version 1.28'), false);
  assert.is(v('runc version 1.1.15'), false);
  assert.is(v('youki version 0.3.0'), false);
  assert.is(needsFor(undefined).restoreCgroupRoot, false);
  assert.ok(needsFor(parseVersionOutput('crun version 1.19')).knownIssues[0]?.includes('1651'));
});

test('needs override: restoreCgroupRoot always|never; auto goes by the table', () => {
  const v121 = parseVersionOutput('crun version 1.21');
  const v181 = parseVersionOutput(CRUN_181);
  assert.is(restoreCgroupRootWanted(v121, 'always'), true);
  assert.is(restoreCgroupRootWanted(v181, 'never'), false);
  assert.is(restoreCgroupRootWanted(v181, 'auto'), true);
  assert.is(restoreCgroupRootWanted(v121, 'auto'), false);
  let probed = 0;
  const probe = (): ReturnType<typeof parseVersionOutput> => {
    probed++;
    return v181;
  };
  restoreCgroupRootWanted(probe, 'never');
  assert.is(probed, 0, 'a forced mode starts no `--version`');
});

test('crun cgroupfs path: absent -> /<id>; absolute; relative; no linux -> /', () => {
  assert.is(crunCgroupfsPath(undefined, 'bug2'), '/bug2');
  assert.is(crunCgroupfsPath('/machine/x', 'bug2'), '/machine/x');
  assert.is(crunCgroupfsPath('pod/x', 'bug2'), '/pod/x');
  assert.is(crunCgroupfsPath(undefined, 'bug2', false), '/');
  assert.equal(cgroupsPathFromConfig({ linux: { cgroupsPath: '/a' } }), {
    hasLinux: true,
    cgroupsPath: '/a',
  });
  assert.equal(cgroupsPathFromConfig({ linux: {} }), { hasLinux: true, cgroupsPath: undefined });
  assert.equal(cgroupsPathFromConfig({}), { hasLinux: false, cgroupsPath: undefined });
});

test('cgroup manager from crun globals', () => {
  assert.is(cgroupManager(parseArgv(['restore', 'x']).globals), 'cgroupfs');
  assert.is(cgroupManager(parseArgv(['--systemd-cgroup', 'restore', 'x']).globals), 'systemd');
  assert.is(
    cgroupManager(parseArgv(['--cgroup-manager', 'systemd', 'restore', 'x']).globals),
    'systemd',
  );
  assert.is(
    cgroupManager(parseArgv(['--cgroup-manager=disabled', 'restore', 'x']).globals),
    'disabled',
  );
});

test('CRIU config, v2: the one line with the empty controller', () => {
  assert.equal(cgroupRootLines([{ version: 2, controllers: '' }], '/bug2'), ['cgroup-root :/bug2']);
});

test('CRIU config, v1: one line per mounted hierarchy, name=systemd included, no global root', () => {
  const lines = cgroupRootLines(
    [
      { version: 1, controllers: 'cpu,cpuacct' },
      { version: 1, controllers: 'cpuset' },
      { version: 1, controllers: 'memory' },
      { version: 1, controllers: 'name=systemd' },
    ],
    '/bug2',
  );
  assert.equal(lines, [
    'cgroup-root cpu,cpuacct:/bug2',
    'cgroup-root cpuset:/bug2',
    'cgroup-root memory:/bug2',
    'cgroup-root name=systemd:/bug2',
  ]);
  assert.ok(Array.isArray(lines) && lines.every((l) => /^cgroup-root [^:\s]+:\//.test(l)));
});

test('CRIU config, hybrid (v1 controllers and a cgroup2 mount): the v1 lines only', () => {
  assert.equal(
    cgroupRootLines(
      [
        { version: 1, controllers: 'memory' },
        { version: 1, controllers: 'name=systemd' },
        { version: 2, controllers: '' },
      ],
      '/x',
    ),
    ['cgroup-root memory:/x', 'cgroup-root name=systemd:/x'],
  );
  assert.ok('error' in (cgroupRootLines([], '/x') as object));
});

test('CRIU config: a path CRIU would misparse is refused', () => {
  assert.ok('error' in (cgroupRootLines([{ version: 2, controllers: '' }], '/a b') as object));
  assert.ok('error' in (cgroupRootLines([{ version: 2, controllers: '' }], '/a#b') as object));
});

test("CRIU config file: the caller's content is carried over, its cgroup-root lines neutralised", () => {
  const text = criuConfigText(
    ['cgroup-root :/bug2'],
    'tcp-established\ncgroup-root :/else\nlog-file /x.log\n',
  );
  const lines = text.split('\n');
  assert.ok(lines.includes('tcp-established'));
  assert.ok(lines.includes('log-file /x.log'));
  assert.ok(lines.includes('# replaced by cgherd: cgroup-root :/else'));
  assert.not.ok(lines.includes('cgroup-root :/else'));
  assert.is(lines.filter((l) => l.startsWith('cgroup-root')).length, 1);
  assert.ok(text.endsWith('cgroup-root :/bug2\n'));
});

test('CRIU config file without a caller file: only ours', () => {
  assert.is(
    criuConfigText(['cgroup-root :/x']),
    "# cgherd: restore into the new container's cgroup\ncgroup-root :/x\n",
  );
});

// A tiny protobuf writer for the cgroup.img messages.
function varint(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    out.push(byte);
  } while (n > 0);
  return out;
}
function field(num: number, bytes: number[]): number[] {
  return [...varint(num * 8 + 2), ...varint(bytes.length), ...bytes];
}
const str = (s: string) => [...Buffer.from(s)];
function member(name: string, path: string): number[] {
  return field(2, [...field(1, str(name)), ...field(2, str(path)), ...varint(3 * 8), 1]);
}

test('cgroup.img: every (controller, path) of every set, deduplicated', () => {
  const set1 = [
    ...varint(8),
    ...varint(1),
    ...member('cpu,cpuacct', '/bug1'),
    ...member('name=systemd', '/bug1'),
  ];
  const set2 = [...varint(8), ...varint(2), ...member('cpu,cpuacct', '/bug1'), ...member('', '/x')];
  const controllers = field(2, field(1, str('cpu'))); // ignored
  const entry = [...field(1, set1), ...field(1, set2), ...controllers];
  const header = Buffer.alloc(12);
  header.writeUInt32LE(IMG_COMMON_MAGIC, 0);
  header.writeUInt32LE(CGROUP_MAGIC, 4);
  header.writeUInt32LE(entry.length, 8);
  const image = Buffer.concat([header, Buffer.from(entry)]);
  assert.equal(parseCgroupImage(image), [
    { name: 'cpu,cpuacct', path: '/bug1' },
    { name: 'name=systemd', path: '/bug1' },
    { name: '', path: '/x' },
  ]);
  assert.throws(
    () => parseCgroupImage(Buffer.from('not an image')),
    /not a CRIU cgroup image|too short/,
  );
  assert.throws(() => parseCgroupImage(image.subarray(0, 20)), /truncated/);
});

test('restore paths: bundle defaults to cwd; a relative image path is under the bundle', () => {
  const where = (argv: string[]) => restoreLocation(parseArgv(argv));
  const p = where(['restore', '--bundle', 'b', '--image-path', 'img', '--detach', 'x']);
  assert.is(restoreBundle(p, '/w'), '/w/b');
  assert.is(restoreImagePath(p, '/w'), '/w/b/img');
  assert.is(restoreImagePath(where(['restore', 'x']), '/w'), '/w/checkpoint');
  assert.is(restoreImagePath(where(['restore', '--image-path=/abs', 'x']), '/w'), '/abs');
});

test.run();
