// The `runtime` key of /etc/cgherd/config.json as cgherd's files hold it (a BOM allowed):
// install's takeover writes it, doctor reads it back to say where a takeover forwards.

const BOM = '\uFEFF';

/** The text without a leading byte order mark. */
export function withoutBom(text: string): string {
  return text.startsWith(BOM) ? text.slice(1) : text;
}

/** The `runtime` key of a config.json text, if it has one (for doctor; never throws). */
export function configRuntime(text: string): string | undefined {
  try {
    const data: unknown = JSON.parse(withoutBom(text));
    if (typeof data !== 'object' || data === null || Array.isArray(data)) return undefined;
    const runtime = (data as Record<string, unknown>).runtime;
    return typeof runtime === 'string' ? runtime : undefined;
  } catch {
    return undefined;
  }
}
