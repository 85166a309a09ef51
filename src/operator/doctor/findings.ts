// `cgherd doctor`'s judgement: host facts in, findings out. Pure, so every rule is tested
// on made-up hosts. Each finding is one severity, one line of what was seen and one line
// of advice.

import type { EngineScan } from '../../engines/engine-scan.js';
import { RUNTIME_NAME } from '../../engines/podman-conf.js';
import { refusesHybridWithControllers } from '../../lower/features.js';
import { EXIT, type ExitCode } from '../exit.js';
import type { CgroupLayout } from './cgroup-layout.js';
import type {
  CriuFacts,
  DoctorFacts,
  Finding,
  PodmanFacts,
  RuntimeFacts,
  Severity,
} from './facts.js';
import { takeoverFindings } from './takeover.js';

const ENGINE_LABEL = { containerd: 'containerd', 'cri-o': 'CRI-O' } as const;

/** What containerd and CRI-O run, for the engines found configured; silent when neither is. */
export function engineFindings(scan: EngineScan | undefined): Finding[] {
  if (scan === undefined) return [];
  const out: Finding[] = scan.errors.map((e) => ({
    id: `engine:unreadable:${e.path}`,
    severity: 'warning',
    summary: `cannot parse ${e.path}: ${e.message}`,
    advice: 'fix the file; the engine itself refuses it too',
  }));
  for (const r of scan.runtimes) {
    const engine = ENGINE_LABEL[r.engine];
    const isDefault = scan.defaults.some((d) => d.engine === r.engine && d.name === r.name);
    const runs = r.binary ?? 'its default binary';
    out.push({
      id: `engine:${r.engine}:${r.name}`,
      severity: r.cgherd ? 'ok' : 'info',
      summary: `${engine} runtime "${r.name}"${isDefault ? ' (default)' : ''} runs ${runs} (${r.file})`,
      advice: r.cgherd
        ? 'nothing to do'
        : 'a Kubernetes RuntimeClass naming this handler bypasses cgherd; see the README for a cgherd handler',
    });
  }
  return out;
}

function criuFindings(criu: CriuFacts): Finding[] {
  if (!criu.path) {
    return [
      {
        id: 'criu',
        severity: 'error',
        summary: 'criu is not installed (looked in /usr/sbin, /usr/local/sbin, /sbin and PATH)',
        advice: 'install criu (>= 4.0 on recent kernels); without it no checkpoint can work',
      },
    ];
  }
  const version = criu.version ?? 'unknown version';
  if (!criu.check?.ok) {
    return [
      {
        id: 'criu',
        severity: 'error',
        summary: `CRIU ${version} (${criu.path}): criu check failed: ${criu.check?.detail ?? 'no output'}`,
        advice:
          'install a CRIU that supports this kernel (Debian 12 has 3.17.1, which fails on 6.x kernels; 4.1.1 works)',
      },
    ];
  }
  return [
    {
      id: 'criu',
      severity: 'ok',
      summary: `CRIU ${version} (${criu.path}): criu check passed`,
      advice: 'nothing to do',
    },
  ];
}

function runtimeFindings(rt: RuntimeFacts): Finding[] {
  if (rt.configError !== undefined || !rt.path) {
    return [
      {
        id: 'runtime',
        severity: 'error',
        summary: `cgherd configuration: ${rt.configError ?? 'no lower runtime'}`,
        advice: 'fix the file or variable named above; cgherd refuses every command until then',
        exitCode: EXIT.CONFIG,
      },
    ];
  }
  const id = rt.identity;
  if (!id) {
    return [
      {
        id: 'runtime',
        severity: 'error',
        summary: `lower runtime ${rt.path} (from ${rt.source}): \`--version\` failed`,
        advice: 'point "runtime" in /etc/cgherd/config.json at a working crun or runc',
      },
    ];
  }
  const label = `${id.name} ${id.version ?? '?'}`;
  if (!id.criu) {
    return [
      {
        id: 'runtime',
        severity: 'error',
        summary: `lower runtime ${rt.path} (from ${rt.source}): ${label} has no CRIU support`,
        advice:
          id.name === 'crun'
            ? 'install a crun built with CRIU (its --version lists +CRIU), or use runc'
            : 'use crun with +CRIU, or runc',
      },
    ];
  }
  return [
    {
      id: 'runtime',
      severity: 'ok',
      summary: `lower runtime ${rt.path} (from ${rt.source}): ${label}, CRIU support`,
      advice: 'nothing to do',
    },
  ];
}

function cgroupFindings(cg: CgroupLayout, runtimeName: string | undefined): Finding[] {
  const out: Finding[] = [];
  const detail =
    cg.mode === 'hybrid'
      ? `hybrid: v1 ${cg.v1Hierarchies.join(' ')}; cgroup2 at ${cg.unifiedMount ?? '?'}` +
        ` (controllers: ${cg.unifiedControllers.join(' ') || 'none'})`
      : cg.mode === 'v1'
        ? `v1: ${cg.v1Hierarchies.join(' ')}`
        : cg.mode === 'v2'
          ? `v2 at ${cg.unifiedMount ?? '?'} (controllers: ${cg.unifiedControllers.join(' ') || 'none'})`
          : 'unknown: no cgroup mount in /proc/self/mountinfo';
  if (cg.mode === 'unknown') {
    out.push({
      id: 'cgroups',
      severity: 'error',
      summary: `cgroups: ${detail}`,
      advice: 'mount cgroups (v2 at /sys/fs/cgroup, or the v1 hierarchies); containers need them',
    });
  } else if (cg.mode === 'hybrid' && cg.unifiedControllers.length > 0) {
    const crun = refusesHybridWithControllers(runtimeName);
    out.push({
      id: 'cgroups',
      severity: crun ? 'error' : 'warning',
      summary: `cgroups: ${detail}${crun ? '; crun refuses this layout' : ''}`,
      advice:
        'boot with pure v1 or pure v2, or leave the cgroup2 hierarchy without controllers ' +
        '(or run crun in a mount namespace without it)',
    });
  } else {
    out.push({
      id: 'cgroups',
      severity: 'ok',
      summary: `cgroups: ${detail}`,
      advice: 'nothing to do',
    });
  }
  out.push(
    cg.manager === 'systemd'
      ? {
          id: 'cgroup-manager',
          severity: 'info',
          summary: 'cgroup manager: systemd (PID 1 is systemd)',
          advice:
            'the scope is created after CRIU returns, so the herd after restore is the fix here; keep herd on',
        }
      : {
          id: 'cgroup-manager',
          severity: 'ok',
          summary: 'cgroup manager: cgroupfs (PID 1 is not systemd)',
          advice: 'nothing to do',
        },
  );
  return out;
}

function podmanFindings(p: PodmanFacts, bugNeedsCgherd: boolean): Finding[] {
  if (p.error) {
    return [
      {
        id: 'podman',
        severity: 'error',
        summary: `Podman configuration: ${p.error.message}`,
        advice:
          'make the containers.conf files and directories readable; Podman cannot read them either',
        exitCode: p.error.exitCode as ExitCode,
      },
    ];
  }
  if (!p.path) {
    return [
      {
        id: 'podman',
        severity: 'info',
        summary: 'Podman is not installed',
        advice: 'other engines can use cgherd as their runtime binary; see cgherd(8)',
      },
    ];
  }
  const out: Finding[] = [];
  const view = p.view;
  if (p.overridden) {
    out.push({
      id: 'podman-conf-override',
      severity: 'info',
      summary: `CONTAINERS_CONF is set: Podman ${p.version ?? ''} reads only ${p.files.join(', ') || 'that file'}`,
      advice:
        'drop-ins in containers.conf.d are ignored while it is set; register cgherd in that file',
    });
  }
  for (const e of view?.errors ?? []) {
    out.push({
      id: 'podman-conf-parse',
      severity: 'error',
      summary: `Podman cannot parse ${e.path}: ${e.message}`,
      advice: 'fix the file: Podman refuses to start while it is broken',
      exitCode: EXIT.CONFIG,
    });
  }
  out.push(...takeoverFindings(p.takeovers ?? []));
  const registered = view?.runtimes[RUNTIME_NAME];
  const where = view?.runtimesFrom[RUNTIME_NAME];
  if (!registered) {
    out.push({
      id: 'podman',
      severity: bugNeedsCgherd ? 'warning' : 'info',
      summary: `Podman ${p.version ?? ''} does not know cgherd (no ${RUNTIME_NAME} in [engine.runtimes])`,
      advice: 'run `cgherd install podman` (add --default to make it the default runtime)',
    });
    return out;
  }
  if (!p.registeredPathOk) {
    out.push({
      id: 'podman',
      severity: 'error',
      summary: `Podman's cgherd entry (${where ?? '?'}) names ${registered.join(', ')}, which is not executable`,
      advice: 'run `cgherd install podman` again to register this installation',
    });
    return out;
  }
  const isDefault = view?.runtime === RUNTIME_NAME;
  out.push({
    id: 'podman',
    severity: isDefault || !bugNeedsCgherd ? 'ok' : 'info',
    summary: isDefault
      ? `Podman ${p.version ?? ''} runs containers through cgherd by default (${view?.runtimeFrom ?? where ?? ''})`
      : `Podman ${p.version ?? ''} knows cgherd (${where ?? ''}); default runtime: ${view?.runtime || "Podman's choice (crun)"}`,
    advice: isDefault
      ? 'nothing to do'
      : 'use `podman --runtime cgherd`, or `cgherd install podman --default`',
  });
  if (!view?.runtimeSupportsJson.includes(RUNTIME_NAME)) {
    out.push({
      id: 'podman-json',
      severity: 'warning',
      summary: 'cgherd is not in runtime_supports_json: conmon will not ask for JSON error logs',
      advice: 'run `cgherd install podman` again, or add cgherd to runtime_supports_json',
    });
  }
  return out;
}

export function doctorFindings(facts: DoctorFacts): Finding[] {
  const bugs: Finding[] = facts.bugs.map((b) => ({
    id: `bug:${b.id}`,
    severity: b.severity,
    summary: b.summary,
    advice: b.advice,
  }));
  if (facts.runtime.identity && bugs.length === 0) {
    bugs.push({
      id: 'bug:none',
      severity: 'ok',
      summary: `no known checkpoint/restore bug for ${facts.runtime.identity.firstLine}`,
      advice: 'nothing to do',
    });
  }
  const bugNeedsCgherd = facts.bugs.some((b) => b.severity !== 'info');
  return [
    ...criuFindings(facts.criu),
    ...runtimeFindings(facts.runtime),
    ...bugs,
    ...cgroupFindings(facts.cgroups, facts.runtime.identity?.name),
    ...podmanFindings(facts.podman, bugNeedsCgherd),
    ...engineFindings(facts.engines),
  ];
}

/** Non-zero when any finding is an error: the first error's own code, else 1. */
export function doctorExitCode(findings: readonly Finding[]): ExitCode {
  const errors = findings.filter((f) => f.severity === 'error');
  if (errors.length === 0) return EXIT.OK;
  const checkpointBlocked = errors.find((f) => f.exitCode === undefined);
  return checkpointBlocked ? EXIT.PROBLEM : (errors[0]?.exitCode ?? EXIT.PROBLEM);
}

const MARK: Readonly<Record<Severity, string>> = {
  ok: 'ok',
  info: 'info',
  warning: 'WARN',
  error: 'ERROR',
};

/** The findings as text: a mark and the summary, then the advice for anything not ok. */
export function findingLines(findings: readonly Finding[]): string[] {
  const width = Math.max(...Object.values(MARK).map((m) => m.length)) + 2;
  const lines: string[] = [];
  for (const f of findings) {
    lines.push(`${`[${MARK[f.severity]}]`.padEnd(width + 1)}${f.summary}`);
    if (f.severity !== 'ok') lines.push(`${' '.repeat(width + 1)}-> ${f.advice}`);
  }
  return lines;
}
