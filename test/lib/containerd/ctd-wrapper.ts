// The `--runc-binary` a containerd test registers: a sh script that edits the bundle's
// config.json where the test needs it (ctd-spec-edit.ts), then execs the runtime under test
// (a bare runtime, or cgherd over one). Without edits it is a plain exec, so the engine's
// argv and environment reach the runtime unchanged.

import { shQuote } from '../podman/podman-conf.js';

export interface CtdRuntime {
  label: string; // 'cgherd over crun 1.8.1', 'runc 1.1.5', ...
  /** The binary the wrapper execs: a runtime, or cgherd. */
  exec: string;
  /** Exported before the exec (CGHERD_RUNTIME for cgherd). */
  env: Record<string, string>;
}

export interface WrapperOptions {
  /** Drop linux.resources on create and restore (the v2 runner, see ctd-spec-edit.ts). */
  dropResources: boolean;
  /** Restore into a cgroup named after the new id (variant B, as Kubernetes does). */
  ownCgroup: boolean;
  /** node and the compiled ctd-spec-edit.js, absolute. */
  node: string;
  specEdit: string;
}

/** The wrapper script. It finds the command word, `--bundle`/`-b` and the id (the last
 *  argument) the way containerd's shim passes them: global options first, id last. */
export function ctdWrapperScript(rt: CtdRuntime, opts: WrapperOptions): string {
  const exports = Object.entries(rt.env).map(([k, v]) => `export ${k}=${shQuote(v)}`);
  const lines = ['#!/bin/sh', ...exports];
  if (opts.dropResources || opts.ownCgroup) {
    const common = opts.dropResources ? ' --drop-resources' : '';
    lines.push(
      'cmd= bundle= prev=',
      'for a in "$@"; do',
      '  case $prev in --bundle | -b) bundle=$a ;; esac',
      '  case $a in create | restore) [ -z "$cmd" ] && cmd=$a ;; esac',
      '  prev=$a',
      'done',
      'for id in "$@"; do :; done',
      '[ -n "$bundle" ] || bundle=$PWD',
      'case $cmd in',
      `create) ${opts.dropResources ? `${shQuote(opts.node)} ${shQuote(opts.specEdit)} "$bundle/config.json"${common} || exit 1` : ':'} ;;`,
      `restore) ${shQuote(opts.node)} ${shQuote(opts.specEdit)} "$bundle/config.json"${common}${opts.ownCgroup ? ' --own-cgroup "$id"' : ''} || exit 1 ;;`,
      'esac',
    );
  }
  lines.push(`exec ${shQuote(rt.exec)} "$@"`, '');
  return lines.join('\n');
}
