// Every hook cgherd runs, in order. Loaded lazily: a call pays only for the hooks of its
// own command. Add a hook with a file in this folder and one entry here.
//
// What happens on `restore`, top to bottom:
//   1. validate-config        before: the bundle's config.json against the runtime-spec
//                             schemas; a broken one is refused (enforce) and crun never runs.
//      criu-no-breakpoints    before: CRIU_FAULT=130 on a host without hardware breakpoints.
//   2. restore-into-cgroup    before: for crun <= 1.20 only, a per-restore CRIU config file
//                             naming the new container's cgroup (CRIU_CONFIG_FILE).
//   3. herd-after-restore     before: which of the image's cgroups do not exist yet.
//   4. criu-watchdog          before: start watching CRIU's log and image files.
//   -- the lower runtime restores the container --
//   4. criu-watchdog          after: stop watching; a stalled CRIU it stopped is the error.
//   3. herd-after-restore     after: herd the init's tree into its cgroup; remove the stale
//                             cgroups CRIU created; strays left are one warning.
//   2. restore-into-cgroup    after: remove the CRIU config file.
// On `checkpoint`: herd-before-checkpoint herds first, and refuses while strays remain.
// After a herd that left no strays (restore or checkpoint) and after create or run,
// herd-proof writes the record that lets the next checkpoint run without Node
// (bin/cgherd, proven_checkpoint; docs/measured-facts.md, "Proven checkpoints").
// On both, criu-no-breakpoints (before; ahead of the herd, so that a first probe after a
// reboot does not sit between the herd and the dump) hands CRIU_FAULT=130 to the lower
// runtime on a host without hardware breakpoints whose CRIU predates 4.2, and
// criu-watchdog (last before, first after) stops a CRIU that makes no progress and thaws
// what a failed checkpoint left frozen.

import type { HookEntry } from '../src/call/hook.js';

export const HOOKS: readonly HookEntry[] = [
  {
    name: 'validate-config',
    commands: ['create', 'run', 'restore'],
    load: async () => (await import('./validate-config.js')).default,
  },
  {
    name: 'criu-no-breakpoints',
    commands: ['checkpoint', 'restore'],
    load: async () => (await import('./criu-no-breakpoints.js')).default,
  },
  {
    name: 'restore-into-cgroup',
    commands: ['restore'],
    load: async () => (await import('./restore-into-cgroup.js')).default,
  },
  {
    name: 'herd-after-restore',
    commands: ['restore'],
    load: async () => (await import('./herd-after-restore.js')).default,
  },
  {
    name: 'herd-before-checkpoint',
    commands: ['checkpoint'],
    load: async () => (await import('./herd-before-checkpoint.js')).default,
  },
  {
    name: 'proof-after-create',
    commands: ['create', 'run'],
    load: async () => (await import('./proof-after-create.js')).default,
  },
  {
    name: 'criu-watchdog',
    commands: ['checkpoint', 'restore'],
    load: async () => (await import('./criu-watchdog.js')).default,
  },
];
