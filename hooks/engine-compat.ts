// What containerd's runc shim (io.containerd.runc.v2, through go-runc) asks of a runtime
// that crun does not do. Two rows, and nothing else: every other argv entry, known or not,
// is forwarded byte for byte.
//
// 1. `checkpoint --work-path DIR`: the shim names a work directory that does not exist yet
//    (containerd v1.6.20 pkg/process/init.go, (*Init).checkpoint: `<workdir>/criu-work`,
//    removed again afterwards; go-runc runc.go, (*CheckpointOpts).args, passes it as
//    `--work-path`). runc creates it: runc v1.1.5 libcontainer/container_linux.go,
//    (*linuxContainer).Checkpoint, a single mkdir with mode 0700 when it is missing, no
//    parents. crun 1.8.1 and 1.21 do not, and fail with "error opening CRIU work directory".
//    So: create DIR the way runc does, before forwarding.
// 2. `restore -no-subreaper`: the shim always asks for it (containerd v1.6.20
//    pkg/process/init.go, (*Init).createCheckpointedState, `NoSubreaper: true`), and go-runc
//    spells it with one dash (runc.go, (*RestoreOpts).args). runc's flag parser takes one
//    dash for a long flag; crun's getopt reads `-n -o -…` and exits 64. crun never makes
//    itself a subreaper, so the flag asks crun for what it already does: drop that entry.
//    runc implements the flag, so for runc it stays.
//
// Pure: the hook apply-engine-compat.ts creates the directories and returns the argv.

import { basename } from 'node:path';
import { HONOURS_NO_SUBREAPER } from '../src/lower/options.js';
import { parseArgv, optionValue, type ParsedArgv } from '../src/call/argv.js';

export interface EngineCompat {
  /** The argv to forward: the one received, less the entries row 2 drops. */
  readonly argv: readonly string[];
  /** Directories to create (mode 0700, only when missing, parents not created). */
  readonly mkdirs: readonly string[];
}

const NO_SUBREAPER = '-no-subreaper';
const PROBE = '-\0cgherd-probe';
const PROBE_KEY = '\0cgherd-probe';

export function engineCompat(
  argv: readonly string[],
  parsed: ParsedArgv,
  lowerRuntime: string,
): EngineCompat {
  if (parsed.help) return { argv, mkdirs: [] };
  if (parsed.command === 'checkpoint') {
    const work = optionValue(parsed, 'work-path');
    return { argv, mkdirs: work === undefined || work === '' ? [] : [work] };
  }
  if (parsed.command === 'restore' && !HONOURS_NO_SUBREAPER.has(basename(lowerRuntime))) {
    const drop = noSubreaperFlagPositions(argv);
    if (drop.size === 0) return { argv, mkdirs: [] };
    return { argv: argv.filter((_, i) => !drop.has(i)), mkdirs: [] };
  }
  return { argv, mkdirs: [] };
}

/**
 * The positions of `-no-subreaper` used as a flag of the command, not as a global option,
 * an option's value (`--pid-file -no-subreaper`) or a word after `--`. The one argv parser
 * decides: position i holds a flag of the command when a probe flag put there, after the
 * same prefix, comes back as a flag. The probe holds a NUL, which no real argv entry can.
 */
function noSubreaperFlagPositions(argv: readonly string[]): Set<number> {
  const positions = new Set<number>();
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] !== NO_SUBREAPER) continue;
    const probed = parseArgv([...argv.slice(0, i), PROBE]);
    if (probed.options.get(PROBE_KEY) === true) positions.add(i);
  }
  return positions;
}
