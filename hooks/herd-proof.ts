// The proof that lets the next checkpoint skip Node (bin/cgherd, proven_checkpoint): after
// cgherd has seen the container's whole init tree inside its cgroup (a herd with no
// strays, or a create: crun's create puts the init there, and children inherit their
// parent's cgroup), and the container cannot move its own processes out
// (src/proof/movable.ts), a record names this boot and the container's state file as it
// is now. Anything short of that removes the record: the next checkpoint herds again.

import { dirname, join } from 'node:path';
import { cachedBreakpointRecord } from '../src/criu/breakpoint-check.js';
import { CRIU_FAULT, noBreakpointSwitch } from '../src/criu/breakpoint-verdict.js';
import { criuOnPath } from '../src/criu/criu-binary.js';
import { probeCachePath, readBootId } from '../src/criu/probe-cache.js';
import { parseStateFile, runtimeKind, stateFile, stateRoot } from '../src/lower/state-root.js';
import type { ContainerState } from '../src/lower/state.js';
import { readSmallFile } from '../src/proc/node-host.js';
import { canMoveOwnProcesses } from '../src/proof/movable.js';
import type { ProofFacts } from '../src/proof/record.js';
import { removeProof, writeProof } from '../src/proof/store.js';
import type { HookContext } from '../src/call/hook.js';

/** The config crun ran the container with: crun keeps a copy in its state folder, next
 *  to the state file ("copy config file"), whatever -f or --bundle said at create. */
function runningConfig(statusPath: string): unknown {
  const text = readSmallFile(join(dirname(statusPath), 'config.json'));
  if (text === undefined) throw new Error(`no config.json next to ${statusPath}`);
  return JSON.parse(text) as unknown;
}

/**
 * On checkpoint and restore, criu-no-breakpoints has already decided CRIU_FAULT for this
 * call. A create runs no CRIU and no such hook, so it proves the next checkpoint only from
 * this boot's cached probe saying CRIU needs no switch; it never probes (a bad host's probe
 * would hold every first create of a boot for seconds). Undefined: no switch is needed.
 */
function createdHostNeedsNoSwitch(ctx: HookContext): string | undefined {
  if (ctx.parsed.command === 'checkpoint' || ctx.parsed.command === 'restore') return undefined;
  const criu = criuOnPath(ctx.childEnv.PATH);
  if (criu === undefined) return 'no criu on the lower runtime PATH';
  const cached = cachedBreakpointRecord(criu, probeCachePath(ctx.env));
  if (!('record' in cached)) return `no breakpoint probe of ${criu} this boot`;
  const decision = noBreakpointSwitch(cached.record, undefined);
  return decision.add ? `the next checkpoint needs ${CRIU_FAULT}: ${decision.why}` : undefined;
}

/** The facts to record, or why there is no proof. */
function proofFacts(ctx: HookContext, initPid: number | undefined): ProofFacts | string {
  const id = ctx.parsed.id ?? '';
  // A checkpoint without Node gets no CRIU_FAULT from cgherd and no watchdog: only a host
  // that needs neither switch is proven (criu-no-breakpoints runs before this, per call).
  if (ctx.childEnv[CRIU_FAULT] !== undefined) return `${CRIU_FAULT} is set for CRIU`;
  const unswitched = createdHostNeedsNoSwitch(ctx);
  if (unswitched !== undefined) return unswitched;
  const kind = runtimeKind(ctx.settings.lowerRuntime);
  if (kind !== 'crun') return `the lower runtime's state file is not crun's`;
  const root = stateRoot(kind, ctx.parsed.globals.root, ctx.env, process.geteuid?.() ?? 0);
  const statusPath = root === undefined ? undefined : stateFile(kind, root, id);
  if (statusPath === undefined) return 'no state file';
  const statusText = readSmallFile(statusPath);
  if (statusText === undefined) return `cannot read ${statusPath}`;
  // The state must name the init whose tree was seen (after a create, it names it).
  const named = parseStateFile(kind, statusText)?.pid;
  if (named === undefined || (initPid !== undefined && named !== initPid)) {
    return `${statusPath} names another init`;
  }
  const movable = canMoveOwnProcesses(runningConfig(statusPath));
  if (movable.movable) return `the container can move its own processes: ${movable.why}`;
  const bootId = readBootId();
  if (bootId === undefined) return 'no boot id';
  return { bootId, statusPath, statusText };
}

/** Writes the record when the tree was seen whole in its cgroup and stays there; removes
 *  it otherwise. `init`: the one the herd saw; undefined after a create (the state file
 *  alone names it). Never throws: without a record the next checkpoint only runs Node. */
export function recordProof(
  ctx: HookContext,
  init: ContainerState | undefined,
  whole: boolean,
): void {
  const id = ctx.parsed.id;
  try {
    const facts = whole ? proofFacts(ctx, init?.pid) : 'strays remain';
    const why = typeof facts === 'string' ? facts : writeProof(id ?? '', facts);
    if (why !== undefined) removeProof(id);
    ctx.debug('proof for %s: %s', id, why ?? 'written');
  } catch (error) {
    removeProof(id);
    ctx.debug('proof for %s: %s', id, error instanceof Error ? error.message : error);
  }
}
