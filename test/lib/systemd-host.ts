// The systemd host of test/env/systemd-host.sh, for the e2e tests: boot it, run shell
// scripts inside as transient services, and always power it off again (its cgroups, the
// copy of its root and /run/systemd/nspawn go with it). One host at a time on a machine.

import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as assert from 'uvu/assert';
import { REPO_ROOT, runCommand, type RunResult } from './bed/bed.js';

const SCRIPT = join(REPO_ROOT, 'test', 'env', 'systemd-host.sh');
const STATE = '/var/tmp/cgt-sysd';

/** Prints `pid comm cgroup2-path` for every process of each named container's init tree,
 *  one container per `== NAME INIT` header; run inside the host (no procps there). One awk
 *  reads /proc once: a fork per process and ancestor took 10-20 s in the VM under TCG. */
export const TREE_SH = `#!/bin/sh
for c in "$@"; do
  init=$(podman inspect --format '{{.State.Pid}}' "$c") || exit 1
  echo "== $c $init"
  ls /proc | awk -v init="$init" '
    function line(f,  l) { l = ""; getline l <f; close(f); return l }
    /^[0-9]+$/ {
      s = line("/proc/" $0 "/stat")
      if (s == "") next
      # The parent is the second field after comm, which may hold spaces and ")".
      i = length(s)
      while (i > 0 && substr(s, i, 1) != ")") i--
      split(substr(s, i + 2), field, " ")
      parent[$0] = field[2]
      pids[++n] = $0
    }
    END {
      for (k = 1; k <= n; k++) {
        p = pids[k]; q = p
        while (q > 1 && q != init) q = (q in parent) ? parent[q] : 1
        if (q != init) continue
        g = ""
        cg = "/proc/" p "/cgroup"
        while ((getline l <cg) > 0) if (substr(l, 1, 3) == "0::") g = substr(l, 4)
        close(cg)
        if (g != "") print p, line("/proc/" p "/comm"), g
      }
    }'
done
`;

export interface TreeProc {
  pid: number;
  comm: string;
  cgroup: string;
}

export function parseTrees(text: string): Map<string, TreeProc[]> {
  const out = new Map<string, TreeProc[]>();
  let current: TreeProc[] | undefined;
  for (const line of text.split('\n')) {
    const head = /^== (\S+) (\d+)$/.exec(line);
    if (head) {
      current = [];
      out.set(head[1] as string, current);
      continue;
    }
    const m = /^(\d+) (\S+) (\S+)$/.exec(line);
    if (m && current)
      current.push({ pid: Number(m[1]), comm: m[2] as string, cgroup: m[3] as string });
  }
  return out;
}

export class SystemdHost {
  /** Seen inside as /opt/cgt. */
  readonly share = join(STATE, 'share');

  run(args: readonly string[], timeoutMs = 240_000): Promise<RunResult> {
    return runCommand('/bin/sh', [SCRIPT, ...args], { timeoutMs });
  }

  /** A shell script as a transient service inside; stdio piped back. */
  sh(script: string, timeoutMs = 240_000): Promise<RunResult> {
    return this.run(['exec', '/bin/sh', '-c', script], timeoutMs);
  }

  async ok(script: string, timeoutMs?: number): Promise<string> {
    const r = await this.sh(script, timeoutMs);
    assert.is(r.code, 0, `inside the systemd host: ${script}\n${r.stderr}${r.stdout}`);
    return r.stdout;
  }

  /** Each container's init tree with the cgroup2 path of every process. */
  async trees(...names: string[]): Promise<Map<string, TreeProc[]>> {
    return parseTrees(await this.ok(`/opt/cgt/tree.sh ${names.join(' ')}`));
  }
}

/** Boots the host after removing a leftover of a failed run. */
export async function startSystemdHost(): Promise<SystemdHost> {
  const host = new SystemdHost();
  const prep = await host.run(['prepare'], 900_000);
  assert.is(prep.code, 0, `systemd-host.sh prepare: ${prep.stderr}`);
  if (existsSync(STATE)) await host.run(['stop']);
  const t0 = Date.now();
  const start = await host.run(['start'], 120_000);
  if (start.code !== 0) {
    await host.run(['stop'], 120_000);
    assert.unreachable(`systemd-host.sh start: ${start.stderr}`);
  }
  console.log(`  systemd host running after ${Date.now() - t0} ms`);
  mkdirSync(host.share, { recursive: true });
  writeFileSync(join(host.share, 'tree.sh'), TREE_SH, { mode: 0o755 });
  return host;
}

/** Powers the host off; its cgroups, root copy and /run/systemd/nspawn go too. */
export async function stopSystemdHost(host: SystemdHost): Promise<void> {
  const stop = await host.run(['stop'], 120_000);
  assert.is(stop.code, 0, `systemd-host.sh stop: ${stop.stderr}`);
}
