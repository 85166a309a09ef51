// Where a JSON text that JSON.parse refused goes wrong, as line and column: people fix
// files by position. V8's own message is the authority when it carries a position (it is
// V8's parse that failed, and its position is the exact character); some of its messages
// carry none ("Unexpected token 'a', "abc" is not valid JSON"), and then jsonc-parser's
// scanner, run strict (no comments, no trailing commas), names the offending token.
// Runs only after JSON.parse has failed, so jsonc-parser is loaded then and never on a
// valid config.

import { createRequire } from 'node:module';
import type * as JsoncParser from 'jsonc-parser';

export interface JsonSyntaxError {
  /** UTF-16 offset into the text. */
  offset: number;
  line: number;
  column: number;
  message: string;
}

export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

/** What sits at `offset`, for the message: a visible character, or a code point. */
function describeAt(text: string, offset: number): string {
  if (offset >= text.length) return 'unexpected end of input';
  const code = text.codePointAt(offset) as number;
  const shown =
    code < 0x20 || code === 0x7f || code === 0xfeff || (code >= 0x80 && code <= 0x9f)
      ? `U+${code.toString(16).padStart(4, '0')}`
      : `'${String.fromCodePoint(code)}'`;
  return `unexpected ${shown}`;
}

/** jsonc-parser's error codes, as what the file needs at that place. */
const EXPECTED: Readonly<Record<string, string>> = {
  InvalidSymbol: 'not a JSON value',
  InvalidNumberFormat: 'not a JSON number',
  PropertyNameExpected: 'expected a double-quoted property name',
  ValueExpected: 'expected a value',
  ColonExpected: "expected ':' after the property name",
  CommaExpected: "expected ',' between members",
  CloseBraceExpected: "expected ',' or '}'",
  CloseBracketExpected: "expected ',' or ']'",
  EndOfFileExpected: 'text after the end of the JSON value',
  InvalidCommentToken: 'comments are not JSON',
  UnexpectedEndOfComment: 'comments are not JSON',
  UnexpectedEndOfString: 'unterminated string, or a control character in it',
  UnexpectedEndOfNumber: 'incomplete number',
  InvalidUnicode: 'bad \\u escape in a string',
  InvalidEscapeCharacter: 'bad escape in a string',
  InvalidCharacter: 'control character in a string',
};

type Jsonc = typeof JsoncParser;
let jsonc: Jsonc | undefined;

function loadJsonc(): Jsonc {
  jsonc ??= createRequire(import.meta.url)('jsonc-parser') as Jsonc;
  return jsonc;
}

/** jsonc-parser's first complaint: its code and the offset of the token it concerns. */
function firstJsoncError(text: string): { code: string; offset: number } | undefined {
  const parser = loadJsonc();
  let first: { code: string; offset: number } | undefined;
  try {
    parser.visit(
      text,
      {
        onError: (error, offset) => {
          first ??= { code: parser.printParseErrorCode(error), offset };
        },
      },
      { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false },
    );
  } catch (error) {
    // Its parser recurses: a hostile nesting depth overflows the stack. V8's own message
    // (or what was found before) has to do then.
    if (!(error instanceof RangeError)) throw error;
  }
  return first;
}

/**
 * V8's message split into its text and position: "Expected ',' or '}' after property value
 * in JSON at position 8" (Node 18-22 wording). No position in "Unexpected token 'a', "abc"
 * is not valid JSON" and some others.
 */
export function v8Parts(message: string): { text: string; position: number | undefined } {
  const match = /^(.*?)(?: in JSON)? at position (\d+)/s.exec(message);
  if (!match) return { text: message, position: undefined };
  return { text: match[1] as string, position: Number(match[2]) };
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

/**
 * Where JSON.parse's failure on `text` lies, given its message: V8's position and words
 * when it has a position (it is V8's parse that failed), else jsonc-parser's. Undefined
 * when neither can say (the caller then shows V8's message as it is).
 */
export function locateJsonSyntaxError(
  text: string,
  v8Message: string,
): JsonSyntaxError | undefined {
  const v8 = v8Parts(v8Message);
  const found = firstJsoncError(text);
  let offset: number;
  let detail: string | undefined;
  if (v8.position !== undefined) {
    offset = v8.position;
    detail = lowerFirst(v8.text);
    const hint = found?.offset === offset ? EXPECTED[found.code] : undefined;
    // "Unexpected number" says less than what the place needs; a comment is not just an
    // unexpected character.
    if (detail.startsWith('unexpected ')) detail = hint;
    else if (found?.offset === offset && found.code === 'InvalidCommentToken') {
      detail += ` (${hint as string})`;
    }
  } else if (found) {
    offset = found.offset;
    detail = EXPECTED[found.code];
  } else {
    return undefined;
  }
  const what = describeAt(text, offset);
  return {
    offset,
    ...lineColumn(text, offset),
    message: detail === undefined ? what : `${what}: ${detail}`,
  };
}
