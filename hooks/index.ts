// Every step cgherd adds to a call, in order: this list is the whole story of a restore
// and a checkpoint. src/runtime/main.ts only parses the argv, runs the `before` halves top
// to bottom, forwards the call as they left it (src/runtime/forward.ts), and runs the
// `after` halves bottom to top. A hook changes the forwarded call only by what its
// `before` returns (src/call/hook.ts). Loaded lazily: a call pays only for the hooks of
// its own command. Add a hook with a file in this folder and one entry here.
//
// `restore`, top to bottom:
//   validate-config        before: the bundle's config.json against the runtime-spec
//                          schemas; a broken one is refused (enforce) and crun never runs.
//   criu-no-breakpoints    before: CRIU_FAULT=130 on a host without hardware breakpoints
//                          whose CRIU predates 4.2.
//   restore-into-cgroup    before: for crun <= 1.20 only, a per-restore CRIU config file
//                          naming the new container's cgroup (CRIU_CONFIG_FILE).
//   herd-after-restore     before: which of the image's cgroups do not exist yet.
//   criu-watchdog          before: start watching CRIU's log and image files.
//   apply-engine-compat    before: drop containerd's `-no-subreaper` for crun
//                          (engine-compat.ts, row 2).
//   hold-signals           before: from here until cgherd exits, the signals that would
//                          kill crun or cgherd half-way are held (restore-signals.ts).
//   -- the lower runtime restores the container --
//   criu-watchdog          after: stop watching; a stalled CRIU it stopped is the error.
//   herd-after-restore     after: herd the init's tree into its cgroup; remove the stale
//                          cgroups CRIU created; strays left are one warning; a herd that
//                          left none writes the proof record (herd-proof.ts).
//   restore-into-cgroup    after: remove the CRIU config file.
//
// `checkpoint`, top to bottom:
//   criu-no-breakpoints    before: as for restore; ahead of the herd, so that a first probe
//                          after a reboot does not sit between the herd and the dump.
//   herd-before-checkpoint before: herd the init's tree into its cgroup; refuse while
//                          strays remain; a herd that left none writes the proof record.
//   criu-watchdog          before: start watching; note whether the container is frozen.
//   apply-engine-compat    before: create containerd's missing --work-path directory, as
//                          runc does (engine-compat.ts, row 1).
//   -- the lower runtime checkpoints the container --
//   criu-watchdog          after: stop watching; a stalled CRIU it stopped is the error;
//                          thaw what a failed checkpoint left frozen.
//
// `create` and `run`: validate-config before, proof-after-create after (the record that
// lets the next checkpoint run without Node: bin/cgherd, proven_checkpoint;
// docs/measured-facts.md, "Proven checkpoints").

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
  {
    name: 'apply-engine-compat',
    commands: ['checkpoint', 'restore'],
    load: async () => (await import('./apply-engine-compat.js')).default,
  },
  {
    name: 'hold-signals',
    commands: ['restore'],
    load: async () => (await import('./hold-signals.js')).default,
  },
];
