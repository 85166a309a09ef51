// Podman's cgroup manager and what it asks of the lower runtime. On a systemd host Podman
// defaults to `cgroup_manager = "systemd"`: conmon then runs the runtime with the global
// `--systemd-cgroup` and a `SLICE:PREFIX:NAME` cgroupsPath, and a crun built without
// systemd (`--disable-systemd`; no `+SYSTEMD` in its `--version`) cannot create a single
// container there. Judged here from facts; probed below.

import { parseToml, tomlGet } from '../../engines/toml.js';
import { runtimeHasSystemd } from '../../lower/features.js';
import type { RuntimeIdentity } from '../../lower/version.js';
import type { Finding } from './facts.js';

export interface SystemdManagerFacts {
  /** Whether PID 1 is systemd (/run/systemd/system exists). */
  systemdBooted: boolean;
  /** engine.cgroup_manager from the last containers.conf that sets it, and that file. */
  configured: { value: string; file: string } | undefined;
  /** Whether Podman is installed at all: without it there is nothing to say. */
  podman: boolean;
  runtime: RuntimeIdentity | undefined;
}

/** The manager Podman uses: the configured one, else its default for this host. */
export function podmanCgroupManager(facts: SystemdManagerFacts): {
  manager: string;
  from: string;
} {
  if (facts.configured) return { manager: facts.configured.value, from: facts.configured.file };
  return facts.systemdBooted
    ? { manager: 'systemd', from: "Podman's default on a systemd host" }
    : { manager: 'cgroupfs', from: "Podman's fallback when PID 1 is not systemd" };
}

/** engine.cgroup_manager over containers.conf files in the order Podman reads them. */
export function configuredCgroupManager(
  files: readonly { path: string; text: string }[],
): { value: string; file: string } | undefined {
  let found: { value: string; file: string } | undefined;
  for (const f of files) {
    let value;
    try {
      value = tomlGet(parseToml(f.text), ['engine', 'cgroup_manager']);
    } catch {
      // A file Podman cannot parse is reported by the Podman findings.
      continue;
    }
    if (typeof value === 'string') found = { value, file: f.path };
  }
  return found;
}

export function systemdManagerFindings(facts: SystemdManagerFacts): Finding[] {
  if (!facts.podman) return [];
  const { manager, from } = podmanCgroupManager(facts);
  const out: Finding[] = [
    {
      id: 'podman-cgroup-manager',
      severity: 'info',
      summary: `Podman uses the ${manager} cgroup manager (${from})`,
      advice:
        manager === 'systemd'
          ? 'containers live in machine.slice/libpod-<id>.scope/container; cgherd restores and herds into that leaf'
          : 'nothing to do',
    },
  ];
  const label = facts.runtime ? `${facts.runtime.name} ${facts.runtime.version ?? ''}`.trim() : '';
  const has = runtimeHasSystemd(facts.runtime);
  if (has === undefined) return out;
  if (has) {
    out.push({
      id: 'runtime-systemd',
      severity: 'ok',
      summary: `${label} was built with systemd support (+SYSTEMD)`,
      advice: 'nothing to do',
    });
  } else if (manager === 'systemd') {
    out.push({
      id: 'runtime-systemd',
      severity: 'error',
      summary: `Podman uses the systemd cgroup manager, but ${label} was built without systemd (no +SYSTEMD in its --version): it cannot create Podman's containers`,
      advice:
        'install a crun built with systemd (distribution packages are; from source, install libsystemd-dev ' +
        'and configure without --disable-systemd) and point cgherd at it, or set cgroup_manager = "cgroupfs" ' +
        'in the [engine] table of containers.conf',
    });
  } else {
    out.push({
      id: 'runtime-systemd',
      severity: 'info',
      summary: `${label} was built without systemd (no +SYSTEMD): fine with Podman's ${manager} manager`,
      advice:
        'a crun built with systemd is needed if Podman ever switches to cgroup_manager = "systemd"',
    });
  }
  return out;
}
