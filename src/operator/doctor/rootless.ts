// What a user who is not root gets from cgherd. Rootless Podman runs the runtime as that
// user inside a user namespace, where cgherd cannot vouch for its own files (root's files
// show as uid 65534 there) and has no privilege to protect: bin/cgherd then passes every
// command, create and restore included, straight to the lower runtime. Said by doctor, so
// that such a user learns it where they look.

import type { Finding } from './facts.js';

export function rootlessFindings(euid: number): Finding[] {
  if (euid === 0) return [];
  return [
    {
      id: 'rootless',
      severity: 'info',
      summary:
        `rootless: you run as uid ${euid}; rootless Podman runs cgherd inside your user namespace, ` +
        'where cgherd passes every command straight to the lower runtime: the same result as the ' +
        'lower runtime alone, with no config validation and no herd (Podman 4.3.1 refuses rootless ' +
        'checkpoint itself)',
      advice:
        "nothing to do; for cgherd's validation and the checkpoint/restore fix, run the containers as root",
    },
  ];
}
