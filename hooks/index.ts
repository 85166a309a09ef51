// Every hook cgherd runs, in order. Loaded lazily: a call pays only for the hooks of its
// own command. Add a hook with a file in this folder and one entry here.

import type { HookEntry } from '../src/runtime/hook.js';

export const HOOKS: readonly HookEntry[] = [
  {
    name: 'validate-config',
    commands: ['create', 'run', 'restore'],
    load: async () => (await import('./validate-config.js')).default,
  },
];
