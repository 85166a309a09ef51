// Read-only parse of a crun/runc-style command line. It never rewrites anything: the
// argv forwarded to the lower runtime is the one received. It only answers which command,
// which container, which bundle, config, state root and descriptors are involved. The
// lower runtime's option tables are in lower/options.ts; this file is the grammar.

import {
  GLOBAL_FLAGS,
  GLOBAL_VALUE_OPTIONS,
  HELP_WORDS,
  VALUE_OPTIONS,
  type GlobalOptions,
} from '../lower/options.js';
import type { RestoreLocation } from '../lower/path-rules.js';

export interface ParsedArgv {
  globals: GlobalOptions;
  /** The command word, or undefined when argv holds global options only. */
  command: string | undefined;
  /** Options given after the command word, by long name without dashes. */
  options: ReadonlyMap<string, string | true>;
  positionals: readonly string[];
  /** The container id the command acts on, when it takes one. */
  id: string | undefined;
  /** `--help`, `-h` or `--usage` after the command: a probe, never a real call. */
  help: boolean;
}

export function parseArgv(argv: readonly string[]): ParsedArgv {
  const globals: GlobalOptions = { systemdCgroup: false, debug: false };
  let i = 0;
  for (; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!arg.startsWith('-')) break;
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const valueKey = GLOBAL_VALUE_OPTIONS[name];
    if (valueKey) {
      const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
      if (value !== undefined) (globals as unknown as Record<string, string>)[valueKey] = value;
      continue;
    }
    const flagKey = GLOBAL_FLAGS[name];
    if (flagKey) globals[flagKey] = true;
    // Unknown global flags (--version, --help, ...) are left for the lower runtime.
  }
  const command = argv[i];
  const rest = argv.slice(i + 1);
  const { options, positionals, help } = parseCommandArgs(command ?? '', rest);
  return {
    globals,
    command,
    options,
    positionals,
    id: positionals[0],
    help,
  };
}

function parseCommandArgs(
  command: string,
  args: readonly string[],
): { options: Map<string, string | true>; positionals: string[]; help: boolean } {
  const table = VALUE_OPTIONS[command] ?? {};
  const options = new Map<string, string | true>();
  const positionals: string[] = [];
  let help = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--') {
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (positionals.length > 0 && command === 'exec') {
      // After the id, exec's words are the process's own argv.
      positionals.push(arg);
      continue;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    if (HELP_WORDS.has(arg)) {
      help = true;
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const key = table[name];
    if (key !== undefined) {
      const value = eq > 0 ? arg.slice(eq + 1) : args[++i];
      if (value !== undefined) options.set(key, value);
      continue;
    }
    options.set(name.replace(/^-+/, ''), eq > 0 ? arg.slice(eq + 1) : true);
  }
  return { options, positionals, help };
}

/** A string option of the command, if given. */
export function optionValue(parsed: ParsedArgv, key: string): string | undefined {
  const value = parsed.options.get(key);
  return typeof value === 'string' ? value : undefined;
}

/** Where a `restore` call's bundle and image are, as its options say. */
export function restoreLocation(parsed: ParsedArgv): RestoreLocation {
  return { bundle: optionValue(parsed, 'bundle'), imagePath: optionValue(parsed, 'image-path') };
}
