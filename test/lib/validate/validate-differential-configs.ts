// The configs of the differential test (validate-differential.test.ts), built by pure
// functions: real configs as bases (`crun spec`, `runc spec`, the Podman captures, and one
// that sets the rarely used fields), then mutations of them, per field:
//   - from each leaf's type, as the schema types it (an integer becomes -1, 0, 2^32, a
//     string; a string becomes "" or a number; a boolean flips or becomes a string; any
//     leaf is removed);
//   - from the values crun's and runc's parsers know (propagation names, namespace types,
//     rlimit names, seccomp actions, capabilities, …), including their near misses;
//   - from the raw text: duplicate keys, integers at the uint64 limit.
// Not a test file itself (the runner only picks *.test.js).

export type Json = Record<string, unknown>;

export interface Candidate {
  /** Unique, short, readable: base, then what was changed. */
  name: string;
  /** config.json as written. */
  text: string;
}

export interface BedPaths {
  rootfs: string;
  /** An existing directory and file, standing in for bind sources the bed lacks. */
  bindDir: string;
  bindFile: string;
}

const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;
const obj = (node: unknown): Json => node as Json;

/** The value's parent and last token at a JSON pointer, creating objects on the way. */
function parentOf(config: Json, pointer: string): [Json, string] {
  const tokens = pointer
    .split('/')
    .slice(1)
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
  const last = tokens.pop() as string;
  let node = config;
  for (const t of tokens) {
    node[t] ??= {};
    node = obj(node[t]);
  }
  return [node, last];
}

export function setAt(config: Json, pointer: string, value: unknown): Json {
  const copy = clone(config);
  const [parent, last] = parentOf(copy, pointer);
  if (value === undefined) {
    if (Array.isArray(parent)) parent.splice(Number(last), 1);
    else delete parent[last];
  } else parent[last] = value;
  return copy;
}

/**
 * Makes a real config creatable on the test bed without changing what is validated: the
 * busybox rootfs, no terminal, bind sources that exist, new namespaces instead of joined
 * ones (their paths belong to the capture run), and no cgroupsPath (the runner gives each
 * container its own).
 */
export function adaptForBed(config: Json, paths: BedPaths): Json {
  const c = clone(config);
  obj(c.root).path = paths.rootfs;
  if (c.process) obj(c.process).terminal = false;
  for (const m of (c.mounts as Json[] | undefined) ?? []) {
    const options = (m.options as string[] | undefined) ?? [];
    const bind = m.type === 'bind' || options.includes('bind') || options.includes('rbind');
    if (!bind || typeof m.source !== 'string') continue;
    const dest = String(m.destination);
    const isFile =
      /^\/etc\//.test(dest) ||
      dest.startsWith('/run/.') ||
      /\.[a-z]+$/.test(dest) ||
      dest === '/dev/null';
    if (!m.source.startsWith('/proc') && !m.source.startsWith('/dev')) {
      m.source = isFile ? paths.bindFile : paths.bindDir;
    }
  }
  const linux = c.linux as Json | undefined;
  if (linux) {
    delete linux.cgroupsPath;
    for (const ns of (linux.namespaces as Json[] | undefined) ?? []) delete ns.path;
  }
  return c;
}

/** A config that sets the rarely used fields crun creates without help from the host. */
export function rareFields(base: Json): Json {
  const c = clone(base);
  const linux = obj(c.linux);
  const proc = obj(c.process);
  linux.rootfsPropagation = 'rprivate';
  linux.namespaces = ['pid', 'network', 'ipc', 'uts', 'mount', 'cgroup'].map((type) => ({ type }));
  linux.devices = [
    { path: '/dev/cgtnull', type: 'c', major: 1, minor: 3, fileMode: 438, uid: 0, gid: 0 },
  ];
  obj(linux.resources).devices = [
    { allow: false, access: 'rwm' },
    { allow: true, type: 'c', major: 1, minor: 3, access: 'rwm' },
  ];
  proc.rlimits = [{ type: 'RLIMIT_NOFILE', soft: 1024, hard: 1024 }];
  linux.seccomp = {
    defaultAction: 'SCMP_ACT_ALLOW',
    architectures: ['SCMP_ARCH_X86_64'],
    syscalls: [
      {
        names: ['personality'],
        action: 'SCMP_ACT_ERRNO',
        errnoRet: 1,
        args: [{ index: 0, value: 8, op: 'SCMP_CMP_EQ' }],
      },
    ],
  };
  c.hooks = {
    createRuntime: [{ path: '/bin/true', args: ['true', 'cgt'], timeout: 5 }],
    poststop: [{ path: '/bin/true' }],
  };
  linux.personality = { domain: 'LINUX' };
  linux.sysctl = { 'net.ipv4.ip_forward': '0' };
  proc.oomScoreAdj = 100;
  proc.ioPriority = { class: 'IOPRIO_CLASS_BE', priority: 4 };
  proc.scheduler = { policy: 'SCHED_OTHER' };
  proc.user = { uid: 0, gid: 0, umask: 18, additionalGids: [1, 2] };
  c.domainname = 'cgt.example';
  c.annotations = { 'org.example.cgt': 'x' };
  return c;
}

/** One value per type the schema gives a leaf, plus removing it. */
function typeMutations(value: unknown): { label: string; value: unknown }[] {
  const out: { label: string; value: unknown }[] = [{ label: 'removed', value: undefined }];
  if (typeof value === 'number') {
    for (const v of [-1, 0, 4294967296]) if (v !== value) out.push({ label: String(v), value: v });
    out.push({ label: 'as-string', value: String(value) });
  } else if (typeof value === 'string') {
    if (value !== '') out.push({ label: 'empty', value: '' });
    out.push({ label: 'as-number', value: 1 });
  } else if (typeof value === 'boolean') {
    out.push({ label: 'flipped', value: !value }, { label: 'as-string', value: String(value) });
  }
  return out;
}

/** Pointers of every scalar leaf; for arrays of scalars, the first item only. */
export function leafPointers(node: unknown, at = ''): { pointer: string; value: unknown }[] {
  if (node === null || typeof node !== 'object') return [{ pointer: at, value: node }];
  const out: { pointer: string; value: unknown }[] = [];
  if (Array.isArray(node)) {
    const scalars = node.every((v) => v === null || typeof v !== 'object');
    const items = scalars ? node.slice(0, 1) : node;
    items.forEach((v, i) => out.push(...leafPointers(v, `${at}/${i}`)));
    return out;
  }
  for (const [k, v] of Object.entries(node)) {
    out.push(...leafPointers(v, `${at}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`));
  }
  return out;
}

/** Fields whose mutations would reach outside the container or the test's files. */
const UNTOUCHED = [/^\/root\/path$/, /^\/linux\/cgroupsPath$/, /^\/mounts\/\d+\/source$/];

export function typeMutationsOf(baseName: string, base: Json): Candidate[] {
  const out: Candidate[] = [];
  for (const { pointer, value } of leafPointers(base)) {
    if (UNTOUCHED.some((re) => re.test(pointer))) continue;
    // The seccomp lists of Podman's profile: hundreds of names, one shape.
    if (/^\/linux\/seccomp\/syscalls\/([1-9]\d*)\//.test(pointer)) continue;
    for (const m of typeMutations(value)) {
      out.push({
        name: `${baseName}:${pointer}=${m.label}`,
        text: JSON.stringify(setAt(base, pointer, m.value), null, 2),
      });
    }
  }
  return out;
}

/** Values the runtimes' parsers know for a field, with near misses; on the rare base. */
export const PARSER_VALUES: Record<string, unknown[]> = {
  '/linux/rootfsPropagation': [
    ...['private', 'shared', 'slave', 'unbindable'].flatMap((p) => [p, `r${p}`]),
    '',
    'bogus',
    'ro',
    'RPRIVATE',
  ],
  '/ociVersion': ['1.0.0', '1.0.2-dev', '1.2.0', '1.3.0', '', 'bogus', '2.0.0'],
  '/linux/namespaces/0/type': ['pid', 'net', 'mnt', 'NETWORK', 'time', 'user', 'bogus', ''],
  '/process/rlimits/0/type': [
    'RLIMIT_CORE',
    'RLIMIT_RTTIME',
    'RLIMIT_MEMLOCK',
    'rlimit_nofile',
    'nofile',
    'RLIMIT_BOGUS',
  ],
  '/process/rlimits/0/soft': [0, 1, 512, 1048576],
  '/linux/seccomp/defaultAction': [
    'SCMP_ACT_KILL',
    'SCMP_ACT_KILL_PROCESS',
    'SCMP_ACT_KILL_THREAD',
    'SCMP_ACT_TRAP',
    'SCMP_ACT_ERRNO',
    'SCMP_ACT_TRACE',
    'SCMP_ACT_LOG',
    'SCMP_ACT_NOTIFY',
    'scmp_act_allow',
    'SCMP_ACT_BOGUS',
  ],
  '/linux/seccomp/defaultErrnoRet': [1, 38, 0, 4294967295],
  '/linux/seccomp/architectures/0': [
    'SCMP_ARCH_X86',
    'SCMP_ARCH_X32',
    'SCMP_ARCH_AARCH64',
    'SCMP_ARCH_RISCV64',
    'SCMP_ARCH_LOONGARCH64',
    'SCMP_ARCH_S390X',
    'SCMP_ARCH_BOGUS',
  ],
  '/linux/seccomp/flags': [
    ['SECCOMP_FILTER_FLAG_TSYNC'],
    ['SECCOMP_FILTER_FLAG_LOG'],
    ['SECCOMP_FILTER_FLAG_SPEC_ALLOW'],
    ['SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV'],
    ['SECCOMP_FILTER_FLAG_BOGUS'],
    [],
  ],
  '/linux/seccomp/syscalls/0/action': ['SCMP_ACT_LOG', 'SCMP_ACT_KILL_THREAD', 'SCMP_ACT_BOGUS'],
  '/linux/seccomp/syscalls/0/args/0/op': [
    'SCMP_CMP_NE',
    'SCMP_CMP_LT',
    'SCMP_CMP_LE',
    'SCMP_CMP_GE',
    'SCMP_CMP_GT',
    'SCMP_CMP_MASKED_EQ',
    'SCMP_CMP_BOGUS',
  ],
  '/linux/seccomp/syscalls/0/names/0': ['nosuchsyscall', ''],
  '/linux/devices/0/type': ['b', 'u', 'p', 'a', 'x'],
  '/linux/devices/0/fileMode': [0, 384, 8630, 0o10666, 0o60666, 4294967295],
  '/linux/devices/0/major': [-1, 4294967296, 2 ** 40],
  '/linux/resources/devices/1/type': ['a', 'b', '', 'x'],
  '/linux/resources/devices/1/access': ['r', 'rw', '', 'x'],
  '/linux/resources/devices/1/major': [-1, 4294967296],
  '/hooks/createRuntime/0/timeout': [1, 0, -1],
  '/hooks/poststop/0/timeout': [0, -1, 2147483648],
  '/hooks/prestart': [[{ path: '/bin/true' }]],
  '/hooks/createContainer': [[{ path: '/bin/true' }]],
  '/hooks/startContainer': [[{ path: '/bin/true' }]],
  '/hooks/poststart': [[{ path: '/bin/true' }]],
  '/hooks/createRuntime/0/path': ['true', '/nonexistent', ''],
  '/linux/personality/domain': ['LINUX32', 'linux', 'bogus'],
  '/linux/personality/flags': [[], ['ADDR_NO_RANDOMIZE'], ['bogus']],
  '/linux/timeOffsets': [
    { monotonic: { secs: 1, nanosecs: 0 } },
    { boottime: { secs: -1, nanosecs: 5 } },
    { realtime: { secs: 1 } },
    { bogus: { secs: 1 } },
  ],
  '/linux/intelRdt': [{ closID: 'cgt' }, { l3CacheSchema: 'L3:0=f' }, { enableMonitoring: true }],
  '/linux/memoryPolicy': [
    { mode: 'MPOL_DEFAULT' },
    { mode: 'MPOL_PREFERRED', nodes: '0' },
    { mode: 'MPOL_BIND', nodes: '0', flags: ['MPOL_F_STATIC_NODES'] },
    { mode: 'MPOL_BOGUS' },
  ],
  '/linux/netDevices': [{ cgtvalnodev0: {} }, { cgtvalnodev0: { name: 'eth9' } }],
  '/process/ioPriority/class': ['IOPRIO_CLASS_RT', 'IOPRIO_CLASS_IDLE', 'IOPRIO_CLASS_BOGUS'],
  '/process/ioPriority/priority': [0, 7, 8, -1],
  '/process/scheduler/policy': [
    'SCHED_BATCH',
    'SCHED_IDLE',
    'SCHED_FIFO',
    'SCHED_ISO',
    'SCHED_DEADLINE',
    'SCHED_BOGUS',
  ],
  '/process/capabilities/bounding/0': [
    'CAP_BPF',
    'CAP_PERFMON',
    'CAP_CHECKPOINT_RESTORE',
    'cap_kill',
    'KILL',
    'CAP_BOGUS',
  ],
  '/process/user/umask': [0, 511, 4294967295, 4294967296],
  '/process/oomScoreAdj': [-1000, 1000, 1001, -1001],
  '/process/noNewPrivileges': [true, 'true'],
  '/process/apparmorProfile': ['', 'unconfined'],
  '/process/selinuxLabel': [''],
  '/linux/sysctl': [
    { 'net.ipv4.ip_forward': '1' },
    { 'kernel.msgmax': '65536' },
    { 'net.ipv4.ip_forward': 1 },
    { 'vm.swappiness': '10' },
  ],
  '/linux/resources/pids': [{ limit: 100 }, { limit: -1 }, { limit: 0 }],
  '/linux/resources/memory': [
    { limit: 268435456 },
    { limit: -1 },
    { limit: 268435456, swap: -1 },
    { reservation: 1048576 },
    { swappiness: 100 },
    { swappiness: 101 },
  ],
  '/linux/resources/cpu': [
    { shares: 512 },
    { shares: 0 },
    { quota: 50000, period: 100000 },
    { quota: -1 },
    { cpus: '0', mems: '0' },
    { cpus: '' },
  ],
  '/linux/resources/blockIO': [{ weight: 500 }, { weight: 5 }, { weight: 1001 }],
  '/linux/resources/unified': [{ 'memory.max': 'max' }],
  '/linux/resources/hugepageLimits': [
    [{ pageSize: '2MB', limit: 0 }],
    [{ pageSize: 'bogus', limit: 0 }],
  ],
  '/linux/maskedPaths': [['/proc/kcore', '/nonexistent']],
  '/linux/readonlyPaths': [['/proc/sys', '/nonexistent']],
  '/mounts/0/options': [
    ['rprivate'],
    ['rbind', 'rro'],
    ['bogus-option'],
    ['nosuid', 'noexec', 'ro'],
  ],
  '/mounts/0/type': ['proc', 'bind', 'none', ''],
  '/process/user/additionalGids/0': [-1, 4294967295],
  '/domainname': [''],
  '/hostname': ['', 'x'.repeat(64), 'x'.repeat(65)],
};

export function parserValueMutations(baseName: string, base: Json): Candidate[] {
  const out: Candidate[] = [];
  for (const [pointer, values] of Object.entries(PARSER_VALUES)) {
    values.forEach((value, i) => {
      const config = setAt(base, pointer, value);
      // A time namespace goes with time offsets; a user namespace needs mappings.
      if (pointer === '/linux/timeOffsets') {
        (obj(config.linux).namespaces as Json[]).push({ type: 'time' });
      }
      out.push({
        name: `${baseName}:${pointer}#${i}=${JSON.stringify(value).slice(0, 40)}`,
        text: JSON.stringify(config, null, 2),
      });
    });
  }
  return out;
}

/** Every namespace type alone added to, and removed from, the base's list. */
export function namespaceMutations(baseName: string, base: Json): Candidate[] {
  const out: Candidate[] = [];
  const types = ['pid', 'network', 'ipc', 'uts', 'mount', 'cgroup', 'time', 'user'];
  const list = (obj(base.linux).namespaces as Json[]).map((n) => String(n.type));
  for (const type of types) {
    const has = list.includes(type);
    const namespaces = has
      ? (obj(base.linux).namespaces as Json[]).filter((n) => n.type !== type)
      : [...(obj(base.linux).namespaces as Json[]), { type }];
    let config = setAt(base, '/linux/namespaces', namespaces);
    if (type === 'user' && !has) {
      config = setAt(config, '/linux/uidMappings', [{ containerID: 0, hostID: 0, size: 65536 }]);
      config = setAt(config, '/linux/gidMappings', [{ containerID: 0, hostID: 0, size: 65536 }]);
    }
    // Without its namespace a sysctl would be the host's: keep the test away from that.
    if (!has || type !== 'network') {
      out.push({
        name: `${baseName}:namespace-${has ? 'without' : 'with'}-${type}`,
        text: JSON.stringify(config, null, 2),
      });
    }
  }
  return out;
}

/** Mutations only the raw text can carry. */
export function textMutations(baseName: string, base: Json): Candidate[] {
  const text = JSON.stringify(base, null, 2);
  const rootPath = `"path": ${JSON.stringify(obj(base.root).path)}`;
  const out: Candidate[] = [
    {
      name: `${baseName}:duplicate-root-path-first-real`,
      text: text.replace(rootPath, `${rootPath},\n    "path": "/nonexistent"`),
    },
    {
      name: `${baseName}:duplicate-root-path-last-real`,
      text: text.replace(rootPath, `"path": "/nonexistent",\n    ${rootPath}`),
    },
    {
      name: `${baseName}:duplicate-hostname`,
      text: text.replace(/\n {2}"hostname": /, '\n  "hostname": "a",\n  "hostname": '),
    },
    // Keys crun reads as C strings (amendment row keys-crun-renames): cut at U+0000, a lone
    // surrogate replaced.
    {
      name: `${baseName}:nul-key-before-uid`,
      text: text.replace(/"uid": /, '"uid\\u0000": 1,\n      "uid": '),
    },
    {
      name: `${baseName}:lone-high-surrogate-key`,
      text: text.replace(/\n {2}"hostname": /, '\n  "hostname\\ud800": "a",\n  "hostname": '),
    },
    {
      name: `${baseName}:lone-low-surrogate-key`,
      text: text.replace(/\n {2}"hostname": /, '\n  "x\\udc00": "a",\n  "hostname": '),
    },
    {
      name: `${baseName}:rlimit-uint64-max`,
      text: text.replace(
        /"rlimits": \[/,
        '"rlimits": [{"type": "RLIMIT_CORE", "soft": 18446744073709551615, "hard": 18446744073709551615},',
      ),
    },
    {
      name: `${baseName}:memory-limit-int64-max`,
      text: text.replace(
        /"resources": \{/,
        '"resources": {"memory": {"limit": 9223372036854775807},',
      ),
    },
  ];
  for (const c of out) if (c.text === text) throw new Error(`${c.name}: nothing replaced`);
  return out;
}

/** Every config of one run: the bases as they are, then their mutations. */
export function buildCandidates(input: {
  crunSpec: Json;
  runcSpec: Json | undefined;
  podman: Record<string, Json>;
  paths: BedPaths;
}): Candidate[] {
  const crun = adaptForBed(input.crunSpec, input.paths);
  const rare = rareFields(crun);
  const bases: Record<string, Json> = { 'crun-spec': crun, rare };
  if (input.runcSpec) bases['runc-spec'] = adaptForBed(input.runcSpec, input.paths);
  for (const [name, config] of Object.entries(input.podman)) {
    bases[`podman-${name}`] = adaptForBed(config, input.paths);
  }
  const out: Candidate[] = Object.entries(bases).map(([name, config]) => ({
    name,
    text: JSON.stringify(config, null, 2),
  }));
  for (const name of ['crun-spec', 'runc-spec', 'podman-default', 'rare']) {
    const base = bases[name];
    if (base) out.push(...typeMutationsOf(name, base));
  }
  out.push(...parserValueMutations('rare', rare));
  out.push(...namespaceMutations('crun-spec', crun), ...namespaceMutations('rare', rare));
  out.push(...textMutations('rare', rare));
  return out;
}
