// The least any design in cgherd's shape can cost, timed beside cgherd in the same rounds,
// so that a missed goal of issue 21 shows whether cgherd or the shape misses it. None of
// these runs cgherd's own code: each is the part of a call that the trust rules and the
// brief fix, with nothing else.
//   - a launcher in sh that checks a file's owner and mode must start stat(1): dash has
//     no built-in that sees mode bits, and as root `test -w` is always true;
//   - an intercepted command starts Node behind that check and ends in the lower runtime;
//   - validation is ajv's compiled OCI validator over the bundle's config.json.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bareNodeEnv, mustRun, type Variant } from './measure.js';

const STAT = '/usr/bin/stat';
/** cgherd's own validation bundle: the same compiled validator and code cache create uses. */
const VALIDATION_BUNDLE = fileURLToPath(
  new URL('../src/validate/oci-config.bundle.cjs', import.meta.url),
);

const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** A wrapper like the bare one, with one stat(1) of `checked` before the exec. */
export function statWrapperVariant(
  work: string,
  lower: string,
  checked: readonly string[],
  args: readonly string[],
): Variant {
  const wrapper = join(work, 'stat-wrapper');
  const paths = checked.map(quote).join(' ');
  writeFileSync(
    wrapper,
    `#!/bin/sh\n${STAT} -L -c '%u %a %n' -- ${paths} >/dev/null || exit 1\nexec ${quote(lower)} "$@"\n`,
    { mode: 0o755 },
  );
  return { label: 'sh wrapper + one stat(1)', run: () => mustRun(wrapper, args) };
}

/** How the shape reaches the lower runtime after Node: the shell execs it, or Node spawns
 *  it and waits (what a face that runs code after the lower runtime, as create's proof
 *  record and every herd do, must do). */
export type ShapeEnd = 'exec' | 'spawn';

/**
 * sh, one stat(1) of the Node binary, Node, then /bin/true: a launcher with the trust check
 * and a Node start, nothing of cgherd. With `config`, Node also loads the validation
 * bundle and validates that file, which must pass.
 */
export function nodeShapeVariant(work: string, end: ShapeEnd, config?: string): Variant {
  const validate =
    config === undefined
      ? ''
      : `const { checkOciConfigFile } = require(${JSON.stringify(VALIDATION_BUNDLE)});\n` +
        `if (!checkOciConfigFile(${JSON.stringify(config)}).ok) process.exit(3);\n`;
  const spawn =
    end === 'spawn'
      ? `process.exitCode = require('node:child_process').spawnSync('/bin/true', { stdio: 'inherit' }).status;\n`
      : '';
  const name = `shape-${end}-${config === undefined ? 'empty' : 'ajv'}.cjs`;
  writeFileSync(join(work, name), validate + spawn);
  const node = quote(process.execPath);
  const script = quote(join(work, name));
  const checked = `${STAT} -L -c '%u %a %n' -- ${node} >/dev/null`;
  const line =
    end === 'exec'
      ? `${checked} && ${node} ${script} && exec /bin/true`
      : `${checked} && exec ${node} ${script}`;
  return {
    label: `sh, stat(1), node${config === undefined ? '' : ' + ajv'}, ${end}`,
    run: () => mustRun('/bin/sh', ['-c', line], { env: bareNodeEnv() }),
  };
}
