// Finds an object key that appears twice in a JSON text. JSON.parse keeps the last
// duplicate and crun (yajl + libocispec) the first, so such a file could pass validation
// as one config and run as another: cgherd refuses it (amendment row "duplicate-keys").
//
// Runs on every validated config, after JSON.parse has accepted the text, so it may
// assume valid JSON: it only needs to tell keys from values and to follow nesting. One
// pass, no recursion (a deeply nested file cannot overflow the stack); strings are
// skipped with indexOf, and a key is decoded only when it has an escape, so "a" and
// "\u0061" are the same key, as both parsers see them.
//
// crun also reads a key as a C string (yajl decodes escapes into a NUL-terminated buffer):
// it stops at U+0000, so {"uid\u0000": 0, "uid": 1000} runs as uid 0 there while
// JSON.parse sees uid 1000; and a lone surrogate becomes "?" or bytes that are no UTF-8
// (measured with crun 1.8.1 and 1.21). A key holding either is refused on its own: crun
// reads it as another key, with or without a second one to collide with (amendment row
// "keys-crun-renames").

export interface DuplicateKey {
  /** twice: the key's second occurrence; renamed: a key crun reads as another name. */
  problem: 'twice' | 'renamed';
  /** JSON pointer (RFC 6901) of the second occurrence, or of the renamed key. */
  pointer: string;
  key: string;
  /** UTF-16 offset of the second occurrence's opening quote. */
  offset: number;
}

interface Frame {
  /** The keys seen so far; null for an array. */
  keys: Set<string> | null;
  /** The current member: its key, or its index in an array. */
  token: string | number;
}

function escapeToken(token: string | number): string {
  return String(token).replace(/~/g, '~0').replace(/\//g, '~1');
}

// U+0000, or a surrogate without its other half.
const RENAMED_BY_CRUN =
  // eslint-disable-next-line no-control-regex
  /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** The offset of the quote that closes the string opened at `start`. */
function stringEnd(text: string, start: number): number {
  let end = text.indexOf('"', start + 1);
  for (;;) {
    let backslashes = 0;
    while (text.charCodeAt(end - 1 - backslashes) === 0x5c) backslashes++;
    if (backslashes % 2 === 0) return end;
    end = text.indexOf('"', end + 1);
  }
}

/** The first duplicate key of a text that JSON.parse accepts; undefined when none. */
export function findDuplicateKey(text: string): DuplicateKey | undefined {
  const stack: Frame[] = [];
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    switch (text.charCodeAt(i)) {
      case 0x22: {
        // '"'
        const end = stringEnd(text, i);
        if (expectKey) {
          const raw = text.slice(i + 1, end);
          const key = raw.includes('\\') ? (JSON.parse(text.slice(i, end + 1)) as string) : raw;
          const top = stack[stack.length - 1] as Frame;
          const keys = top.keys as Set<string>;
          const renamed = raw !== key && RENAMED_BY_CRUN.test(key);
          if (renamed || keys.has(key)) {
            const tokens = [...stack.slice(0, -1).map((f) => f.token), key];
            const pointer = tokens.map((t) => `/${escapeToken(t)}`).join('');
            return { problem: renamed ? 'renamed' : 'twice', pointer, key, offset: i };
          }
          keys.add(key);
          top.token = key;
          expectKey = false;
        }
        i = end;
        break;
      }
      case 0x7b: // '{'
        stack.push({ keys: new Set(), token: '' });
        expectKey = true;
        break;
      case 0x5b: // '['
        stack.push({ keys: null, token: 0 });
        expectKey = false;
        break;
      case 0x7d: // '}'
      case 0x5d: // ']'
        stack.pop();
        expectKey = false;
        break;
      case 0x2c: {
        // ','
        const top = stack[stack.length - 1] as Frame;
        if (top.keys) expectKey = true;
        else top.token = (top.token as number) + 1;
        break;
      }
      default:
        break;
    }
  }
  return undefined;
}
