// bin/cgherd's fast path needs two facts about the lower runtime that src/lower/ holds:
// where crun is looked for (STANDARD_LOCATIONS, locate.ts) and which global options take
// a value (GLOBAL_VALUE_OPTIONS, options.ts), so that it finds the command word as
// call/argv.ts does. The launcher is plain sh and reads no file for them: each list sits
// in the launcher between `# BEGIN generated: NAME` and `# END generated: NAME` lines, and
// this tool makes that block from the compiled src/lower/ (so it runs after tsc).
//
//   node tools/gen-launcher-lists.mjs            check: exit 1 naming each stale block
//   node tools/gen-launcher-lists.mjs --write    rewrite the blocks
//   --file PATH                                  another launcher (tests use a copy)
//
// `make build` checks, so a change to src/lower/ that the launcher does not follow fails
// the build rather than ship two answers.

import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import process from 'node:process';
import { fileURLToPath, pathToFileURL } from 'node:url';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..');
const { STANDARD_LOCATIONS } = await import(
  pathToFileURL(join(REPO, 'dist/src/lower/locate.js')).href
);
const { GLOBAL_VALUE_OPTIONS } = await import(
  pathToFileURL(join(REPO, 'dist/src/lower/options.js')).href
);

/** Each block's lines, without the indentation of its BEGIN line. */
const BLOCKS = {
  'crun-locations': [`for candidate in ${STANDARD_LOCATIONS.join(' ')}; do`],
  'global-options-with-value': [`${Object.keys(GLOBAL_VALUE_OPTIONS).join(' | ')}) skip=1 ;;`],
};

/** The launcher text with every block regenerated, and the names of those that changed. */
function regenerate(text) {
  const lines = text.split('\n');
  const stale = [];
  for (const [name, body] of Object.entries(BLOCKS)) {
    const begin = lines.findIndex((l) => l.trim() === `# BEGIN generated: ${name}`);
    const end = lines.findIndex((l) => l.trim() === `# END generated: ${name}`);
    if (begin < 0 || end < begin) throw new Error(`no block "${name}" in the launcher`);
    const indent = /^\s*/.exec(lines[begin])[0];
    const want = body.map((l) => indent + l);
    const have = lines.slice(begin + 1, end);
    if (have.join('\n') !== want.join('\n')) stale.push(name);
    lines.splice(begin + 1, end - begin - 1, ...want);
  }
  return { text: lines.join('\n'), stale };
}

const args = process.argv.slice(2);
const fileAt = args.indexOf('--file');
const file = fileAt >= 0 ? args[fileAt + 1] : join(REPO, 'bin/cgherd');
let result;
try {
  result = regenerate(readFileSync(file, 'utf8'));
} catch (error) {
  process.stderr.write(`gen-launcher-lists: ${file}: ${error.message}\n`);
  process.exit(1);
}
if (args.includes('--write')) {
  if (result.stale.length > 0) writeFileSync(file, result.text);
} else if (result.stale.length > 0) {
  process.stderr.write(
    `gen-launcher-lists: ${file}: generated block(s) ${result.stale.join(', ')} differ from ` +
      'src/lower/: run node tools/gen-launcher-lists.mjs --write\n',
  );
  process.exit(1);
}
