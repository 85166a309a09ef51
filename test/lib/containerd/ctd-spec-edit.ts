// Edits a bundle's config.json between containerd's shim and the runtime, for the
// containerd tests (called by the wrapper that ctd-wrapper.ts writes):
//   --drop-resources   removes linux.resources. On this host's v2 runner the cgroup2 tree has
//                      no controllers, so containerd's default cpu shares cannot be written,
//                      and crun 1.8.1 turns device rules into an eBPF program that needs
//                      RLIMIT_MEMLOCK raised, which root here may not do: it lacks
//                      CAP_SYS_RESOURCE (setrlimit fails with EPERM, measured).
//   --own-cgroup ID    sets the last segment of linux.cgroupsPath to ID: the restored
//                      container gets a cgroup of its own, as a Kubernetes restore does,
//                      instead of the original's path that `ctr c restore` copies.
//
//   node ctd-spec-edit.js CONFIG [--drop-resources] [--own-cgroup ID]

import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

export interface SpecEdits {
  dropResources: boolean;
  ownCgroup?: string;
}

type JsonObject = Record<string, unknown>;

const isObject = (v: unknown): v is JsonObject =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The spec with the edits applied (a new object; the input is not changed). */
export function editSpec(spec: JsonObject, edits: SpecEdits): JsonObject {
  const linux = isObject(spec.linux) ? { ...spec.linux } : undefined;
  if (linux === undefined) return spec;
  if (edits.dropResources) delete linux.resources;
  if (edits.ownCgroup !== undefined) {
    const path = linux.cgroupsPath;
    if (typeof path !== 'string' || !path.includes('/')) {
      throw new Error(`ctd-spec-edit: no cgroupsPath with a parent to rewrite (${String(path)})`);
    }
    linux.cgroupsPath = `${path.slice(0, path.lastIndexOf('/'))}/${edits.ownCgroup}`;
  }
  return { ...spec, linux };
}

export function parseEditArgs(args: readonly string[]): { config: string; edits: SpecEdits } {
  const [config, ...rest] = args;
  if (config === undefined)
    throw new Error('usage: ctd-spec-edit CONFIG [--drop-resources] [--own-cgroup ID]');
  const edits: SpecEdits = { dropResources: false };
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    if (arg === '--drop-resources') edits.dropResources = true;
    else if (arg === '--own-cgroup' && rest[i + 1] !== undefined) edits.ownCgroup = rest[++i];
    else throw new Error(`ctd-spec-edit: unknown argument ${String(arg)}`);
  }
  return { config, edits };
}

function main(args: readonly string[]): void {
  const { config, edits } = parseEditArgs(args);
  const spec = JSON.parse(readFileSync(config, 'utf8')) as unknown;
  if (!isObject(spec)) throw new Error(`${config}: not a JSON object`);
  const tmp = `${config}.cgt-edit`;
  writeFileSync(tmp, JSON.stringify(editSpec(spec, edits)));
  renameSync(tmp, config);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    main(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}
