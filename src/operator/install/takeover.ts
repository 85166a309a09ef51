// `cgherd install podman --as NAME`: cgherd takes over one of Podman's runtime names.
// Podman records the runtime's *name* in every container and every exported checkpoint
// archive, and `restore --import` insists on it; registering cgherd under that very name is
// the only way existing containers and foreign archives reach cgherd. Pure: files come in
// as text, the file system as a predicate.

import { validateCgherdConfig } from '../../validate/cgherd-config.js';
import { EXIT, OperatorError } from '../exit.js';
import { RUNTIME_NAME } from '../../engines/podman-conf.js';
import type { NameResolution } from '../../engines/podman-runtime-names.js';
import { withoutBom } from '../config-runtime.js';

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export function checkTakeoverName(name: string): void {
  if (name === RUNTIME_NAME) {
    throw new OperatorError(
      `--as ${RUNTIME_NAME}: that is the plain \`cgherd install podman\`; --as takes another runtime's name (crun, runc)`,
      EXIT.USAGE,
    );
  }
  if (!NAME_RE.test(name)) {
    throw new OperatorError(`--as ${JSON.stringify(name)}: not a runtime name`, EXIT.USAGE);
  }
}

/** The lower runtime a takeover of `name` must forward to, or a clear refusal. */
export function takeoverLower(res: NameResolution, isCgherd: (path: string) => boolean): string {
  if (res.paths.length === 0) {
    throw new OperatorError(
      `Podman has no runtime named ${res.name} (no [engine.runtimes] ${res.name} in any containers.conf, and none built in)`,
      EXIT.CONFIG,
    );
  }
  if (res.resolved === undefined) {
    throw new OperatorError(
      `Podman finds no ${res.name}: none of ${res.paths.join(', ')} (${res.from}) exists; install it first`,
      EXIT.CONFIG,
    );
  }
  if (isCgherd(res.resolved)) {
    throw new OperatorError(
      `Podman's ${res.name} (${res.resolved}, from ${res.from}) is already cgherd: cgherd would call itself. ` +
        `Point [engine.runtimes] ${res.name} at the real runtime first`,
      EXIT.CONFIG,
    );
  }
  return res.resolved;
}

/**
 * /etc/cgherd/config.json with `runtime` set to the lower runtime, every other key kept in
 * its place. A file that cgherd could not use is refused: nothing is written over it.
 */
export function mergeConfig(existing: string | undefined, path: string, lower: string): string {
  let data: Record<string, unknown> = {};
  if (existing !== undefined && existing.trim() !== '') {
    const text = withoutBom(existing);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      throw new OperatorError(
        `${path} is not JSON (${err instanceof Error ? err.message : String(err)}); fix it or move it away first`,
        EXIT.CONFIG,
      );
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new OperatorError(
        `${path}: not a JSON object; fix it or move it away first`,
        EXIT.CONFIG,
      );
    }
    data = parsed as Record<string, unknown>;
  }
  const merged = 'runtime' in data ? { ...data, runtime: lower } : { runtime: lower, ...data };
  const issue = validateCgherdConfig(merged)[0];
  if (issue) {
    throw new OperatorError(
      `${path}: field ${issue.pointer || '(top level)'}: ${issue.message}; fix it first`,
      EXIT.CONFIG,
    );
  }
  return `${JSON.stringify(merged, null, 2)}\n`;
}
