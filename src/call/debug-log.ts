// What a hook logs to: a no-op unless debugging is on (src/runtime/debug-log.ts opens it).

export interface DebugLog {
  (formatString: string, ...args: unknown[]): void;
  /** The same log under `<namespace>:<name>`. */
  extend(name: string): DebugLog;
}
