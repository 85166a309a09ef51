// containers.conf is TOML, read with smol-toml (a TOML 1.0 parser that refuses what the
// spec refuses: a table defined twice, leading zeros, `1__2`, impossible dates, an inline
// table reopened as [a]), so that doctor and install reject what Podman rejects. Errors
// become one line, `line N: reason`, for doctor's findings.

import { parse, TomlError as SmolTomlError, type TomlTableWithoutBigInt } from 'smol-toml';

export type TomlTable = TomlTableWithoutBigInt;
export type TomlValue = TomlTable[string];

export class TomlError extends Error {
  constructor(
    readonly line: number,
    reason: string,
  ) {
    super(`line ${line}: ${reason}`);
    this.name = 'TomlError';
  }
}

export function parseToml(text: string): TomlTable {
  try {
    return parse(text, { integersAsBigInt: false });
  } catch (err) {
    if (!(err instanceof SmolTomlError)) throw err;
    // smol-toml's message is "Invalid TOML document: <reason>" and then a code excerpt.
    const reason = err.message.split('\n')[0]?.replace(/^Invalid TOML document:\s*/, '') ?? '';
    throw new TomlError(err.line, reason);
  }
}

/** The value at a dotted path of tables; undefined when any step is missing. */
export function tomlGet(table: TomlTable, path: readonly string[]): TomlValue | undefined {
  let current: TomlValue | undefined = table;
  for (const key of path) {
    if (typeof current !== 'object' || current === null || Array.isArray(current)) return undefined;
    if (current instanceof Date) return undefined;
    current = (current as TomlTable)[key];
  }
  return current;
}

export const isTable = (v: TomlValue | undefined): v is TomlTable =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
export const asString = (v: TomlValue | undefined): string | undefined =>
  typeof v === 'string' ? v : undefined;

/** The table at a dotted path of tables; undefined when any step is not a table. */
export function dig(table: TomlTable, path: readonly string[]): TomlTable | undefined {
  let cur: TomlValue | undefined = table;
  for (const key of path) {
    if (!isTable(cur)) return undefined;
    cur = cur[key];
  }
  return isTable(cur) ? cur : undefined;
}
