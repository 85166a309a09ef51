// Every hook cgherd runs, in order. Loaded lazily: a call pays only for the hooks of its
// own command. Add a hook with a file in this folder and one entry here.

import type { HookEntry } from '../src/runtime/hook.js';

export const HOOKS: readonly HookEntry[] = [
  {
    name: 'validate-config',
    commands: ['create', 'run', 'restore'],
    load: async () => (await import('./validate-config.js')).default,
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
];
