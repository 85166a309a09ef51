// Text a container chose (process names, cgroup paths) made safe for a terminal before it
// reaches any output: a comm of "\x1b]0;...\x07" or a cgroup named with a CSI sequence
// would otherwise drive the operator's terminal. Every C0 control (ESC included, so no
// escape sequence survives), DEL, every C1 control, and the Unicode controls that reorder
// or break lines (bidi overrides and isolates, LS/PS) become visible escapes. So does a
// surrogate without its other half: written out as UTF-8 it turns into U+FFFD, so two
// keys that crun reads apart ("?" for one, raw bytes for the other) would print alike.

const UNSAFE =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

function escapeOne(char: string): string {
  const code = char.charCodeAt(0);
  return code <= 0xff
    ? `\\x${code.toString(16).padStart(2, '0')}`
    : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** `text` with every terminal control character shown as \xNN or \uNNNN. */
export function printable(text: string): string {
  return text.replace(UNSAFE, escapeOne);
}
