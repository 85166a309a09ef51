// Generates standalone ajv validators from schemas/ into src/validate/generated/, so that
// the runtime path never compiles a schema (compiling the OCI schemas costs far more than
// running them). Run by `make validators` before tsc; tsc then emits the generated
// TypeScript into dist/ with the rest.
//
// Two OCI validators are made from the same schemas and settings:
//   - full (allErrors): every error, for `cgherd validate` and for the refusal message;
//     its source is CommonJS (oci-config-full.cts), loaded only when needed;
//   - pass (allErrors off, error objects stripped): valid or not, nothing more. The
//     validate-config hook runs it first and loads the full one only for an invalid file.
//     Its source is written straight to dist/ as a plain file (reading it costs far less
//     than importing a module that holds it as a string), named by its sha256.
// Both get a V8 code cache in dist/src/validate/generated/.
//
// The OCI runtime-spec schemas are pinned copies (schemas/runtime-spec/, see
// schemas/README.md); every file is checked against SHA256SUMS before it is used, and a
// schema file that is not listed there is an error. schemas/runtime-spec-amendments.json
// (checked against runtime-spec-amendments.schema.json) lists where cgherd departs from
// those schemas, each row with its reason and sources: the relax rows are patched in
// memory before compiling, and the whole table is emitted as generated/amendments.ts.
//
//   node tools/gen-validators.mjs

import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import Ajv04 from 'ajv-draft-04';
import standaloneModule from 'ajv/dist/standalone/index.js';

const standaloneCode = standaloneModule.default ?? standaloneModule;
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SPEC_DIR = join(ROOT, 'schemas', 'runtime-spec');
const OUT_DIR = join(ROOT, 'src', 'validate', 'generated');

function fail(message) {
  process.stderr.write(`gen-validators: ${message}\n`);
  process.exit(1);
}

/** Reads SHA256SUMS and checks every listed file; returns the verified file names. */
function verifiedSpecFiles() {
  const sums = readFileSync(join(SPEC_DIR, 'SHA256SUMS'), 'utf8');
  const listed = new Map();
  for (const line of sums.split('\n')) {
    if (line.trim() === '') continue;
    const match = /^([0-9a-f]{64}) [ *](\S+)$/.exec(line);
    if (!match) fail(`schemas/runtime-spec/SHA256SUMS: malformed line: ${line}`);
    listed.set(match[2], match[1]);
  }
  for (const [name, expected] of listed) {
    const actual = createHash('sha256')
      .update(readFileSync(join(SPEC_DIR, name)))
      .digest('hex');
    if (actual !== expected) {
      fail(`schemas/runtime-spec/${name}: sha256 ${actual}, expected ${expected} (SHA256SUMS)`);
    }
  }
  for (const name of readdirSync(SPEC_DIR)) {
    if (name.endsWith('.json') && !listed.has(name)) {
      fail(`schemas/runtime-spec/${name} is not pinned in SHA256SUMS`);
    }
  }
  return [...listed.keys()].filter((name) => name.endsWith('.json')).sort();
}

function readJson(path) {
  return JSON.parse(readFileSync(path, 'utf8'));
}

/**
 * The amendments table (schemas/runtime-spec-amendments.json), checked against its own
 * schema. Read once: both OCI validators and the generated table use it.
 */
let amendmentTable;
function amendmentsTable() {
  if (amendmentTable) return amendmentTable;
  const table = readJson(join(ROOT, 'schemas', 'runtime-spec-amendments.json'));
  const ajv = new Ajv04({ allErrors: true, strict: true });
  const check = ajv.compile(readJson(join(ROOT, 'schemas', 'runtime-spec-amendments.schema.json')));
  if (!check(table)) {
    const first = check.errors[0];
    fail(`schemas/runtime-spec-amendments.json${first.instancePath}: ${first.message}`);
  }
  const ids = new Set();
  for (const row of table.amendments) {
    if (ids.has(row.id)) fail(`amendment id ${row.id} appears twice`);
    ids.add(row.id);
    if ((row.kind === 'relax') !== (row.patch !== undefined)) {
      fail(`amendment ${row.id}: a relax row has a patch, a refuse row has none`);
    }
  }
  amendmentTable = table;
  return table;
}

/**
 * Widens the pinned schemas where the runtimes accept more (the relax rows of the table;
 * the files stay byte for byte upstream's). Each patch names the exact value it replaces,
 * so a new release that fixed or changed it fails the build instead of being patched
 * blindly.
 */
function amend(name, schema, patches) {
  for (const p of patches.filter((x) => x.file === name)) {
    const tokens = p.pointer.split('/').slice(1);
    const last = tokens.pop();
    let parent = schema;
    for (const t of tokens) parent = parent?.[t];
    if (parent === undefined || JSON.stringify(parent[last]) !== JSON.stringify(p.from)) {
      fail(
        `amendment ${name}#${p.pointer} is stale: the schema no longer has the value it replaces`,
      );
    }
    parent[last] = JSON.parse(JSON.stringify(p.to));
    p.applied = true;
  }
  return schema;
}

function ociValidatorCode(allErrors) {
  // strict is off on purpose: config-linux.json, config-solaris.json, config-vm.json,
  // config-windows.json and config-zos.json wrap their schema in a top-level "linux",
  // "solaris", ... property (referenced as config-linux.json#/linux), which strict mode
  // rejects as an unknown keyword. Those five wrappers are the only strict-mode
  // complaints (checked with strict: 'log'); editing them would no longer be the
  // official schema.
  const ajv = new Ajv04({ allErrors, strict: false, code: { source: true } });
  const patches = amendmentsTable()
    .amendments.filter((row) => row.kind === 'relax')
    .map((row) => ({ ...row.patch }));
  for (const name of verifiedSpecFiles()) {
    // They carry no "id", so the file name is their URI and "defs.json#/..." resolves.
    ajv.addSchema(amend(name, readJson(join(SPEC_DIR, name)), patches), name);
  }
  const unused = patches.filter((p) => !p.applied);
  if (unused.length > 0) fail(`amendment for missing file ${unused[0].file}`);
  // CommonJS (module.exports = the validator): run through vm.Script, see scriptSource.
  return standaloneCode(ajv, ajv.getSchema('config-schema.json'));
}

function cgherdValidatorCode() {
  // Our own schema is written to ajv's strict rules, so keep strict on for it.
  const ajv = new Ajv04({ allErrors: true, strict: true, code: { source: true, esm: true } });
  ajv.addSchema(readJson(join(ROOT, 'schemas', 'cgherd-config.schema.json')), 'cgherd-config');
  return standaloneCode(ajv, { validateCgherdConfig: 'cgherd-config' });
}

/**
 * Standalone code may `require` ajv's runtime helpers (ucs2length, equal, ...). Check
 * that each one resolves from where the compiled file will live, so a missing production
 * dependency fails the build, not a container start. Returns the ids.
 */
function checkRequires(code, distFile) {
  const required = [...new Set([...code.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]))];
  const resolver = createRequire(distFile);
  for (const id of required) {
    try {
      resolver.resolve(id);
    } catch {
      fail(`generated code requires "${id}", which does not resolve from ${distFile}`);
    }
  }
  return required;
}

const HEADER = [
  '// @ts-nocheck',
  '// Generated by tools/gen-validators.mjs from schemas/. Do not edit.',
];

/** An ES module that exports the validators of ESM standalone code. */
function esmModule(code, outFile) {
  const header = [...HEADER];
  if (checkRequires(code, distPathOf(outFile)).length > 0) {
    header.push(
      "import { createRequire } from 'node:module';",
      'const require = createRequire(import.meta.url);',
    );
  }
  return `${header.join('\n')}\n${appendInPlace(code)}\n`;
}

/**
 * The OCI validators are 120-200 kB of code; compiling one costs more than the rest of a
 * `create`. So their source is run through vm.Script with a V8 code cache made here (see
 * src/trust/compiled-script.ts). Files are named by the source's sha256, because V8
 * itself checks only the source's length against a cache.
 */
function scriptSource(code, outFile) {
  checkRequires(code, distPathOf(outFile));
  const source = `(function (module, exports, require) {\n${appendInPlace(code)}\n})`;
  const sha256 = createHash('sha256').update(source).digest('hex');
  return { source, sha256 };
}

/** A CommonJS module (.cts, emitted as .cjs) holding the source, for a synchronous load. */
function sourceModule({ source, sha256 }) {
  return [
    ...HEADER,
    `export const SOURCE_SHA256 = '${sha256}';`,
    `export const SOURCE = ${JSON.stringify(source)};`,
    '',
  ].join('\n');
}

/**
 * The pass validator's `false` is all its caller reads, so the error objects ajv builds
 * (about 40% of the code) are replaced by one shared empty object. Their count still
 * decides validity inside anyOf/oneOf (`errors === _errs`), so each place keeps one
 * element: only the literal `{instancePath,schemaPath,...}` is replaced, never the array
 * around it. The options object passed to a referenced validator also starts with
 * `{instancePath` (then `parentData`); it is kept. Refuses code that reads an error object
 * back, which would then see nothing.
 */
function stripErrorObjects(code) {
  const parts = [];
  let from = 0;
  for (let start = code.indexOf('{instancePath', from); start >= 0;) {
    let depth = 0;
    let quote = null;
    let end = start;
    for (; end < code.length; end++) {
      const ch = code[end];
      if (quote) {
        if (ch === '\\') end++;
        else if (ch === quote) quote = null;
      } else if (ch === '"' || ch === "'" || ch === '`') quote = ch;
      else if (ch === '{') depth++;
      else if (ch === '}' && --depth === 0) break;
    }
    if (depth !== 0) fail('pass validator: unbalanced error object');
    const literal = code.slice(start, end + 1);
    if (literal.includes(',schemaPath:"') && literal.includes(',keyword:"')) {
      parts.push(code.slice(from, start), 'PASS_ERROR');
      from = end + 1;
    }
    start = code.indexOf('{instancePath', end + 1);
  }
  parts.push(code.slice(from));
  const stripped = parts.join('');
  if (/\.(instancePath|schemaPath|keyword|params|message)\b/.test(stripped)) {
    fail('pass validator: the generated code reads error objects; cannot strip them');
  }
  // Declared last: "use strict" must stay the first statement, and nothing runs a
  // validator before the module body has finished.
  return `${stripped}\nconst PASS_ERROR = Object.freeze({});`;
}

function distPathOf(srcFile) {
  return srcFile
    .replace(`${ROOT}/`, `${ROOT}/dist/`)
    .replace(/\.ts$/, '.js')
    .replace(/\.cts$/, '.cjs');
}

/**
 * With allErrors, ajv's standalone code gathers the errors of a referenced validator with
 * `vErrors = vErrors.concat(callee.errors)`, once per array item: quadratic in the number
 * of errors (300,000 bad namespace entries took minutes). Append in place instead; ajv's
 * own code already mutates vErrors in place (`vErrors.length = n`), so nothing relies on
 * concat's copy.
 */
function appendInPlace(code) {
  const concat =
    /vErrors = vErrors === null \? (validate\d+)\.errors : vErrors\.concat\(\1\.errors\);/g;
  const rewritten = code.replace(
    concat,
    'vErrors = vErrors === null ? $1.errors : appendErrors(vErrors, $1.errors);',
  );
  if (rewritten.includes('.concat('))
    fail('generated code has a concat this generator does not know');
  if (rewritten === code) return code;
  const helper =
    'function appendErrors(target, more) { for (const e of more) target.push(e); return target; }';
  return `${rewritten}\n${helper}`;
}

function writeIfChanged(path, text) {
  let old;
  try {
    old = readFileSync(path, 'utf8');
  } catch {
    old = undefined;
  }
  if (old !== text) writeFileSync(path, text);
}

/**
 * Runs the validator once over sample configs (the Podman fixtures when the repository has
 * them) so that V8 has compiled its functions, then returns the code cache.
 */
function codeCache(source, filename) {
  const script = new vm.Script(source, { filename });
  const module = { exports: {} };
  script.runInThisContext()(module, module.exports, createRequire(filename));
  const validate = module.exports;
  const samples = join(ROOT, 'test', 'fixtures', 'oci-configs', 'podman-4.3.1');
  let names = [];
  try {
    names = readdirSync(samples).filter((name) => name.endsWith('.json'));
  } catch {
    // A source tree without tests: the cache then holds what compiled eagerly.
  }
  for (const name of names) validate(readJson(join(samples, name)));
  return script.createCachedData();
}

/**
 * Writes the cache next to the compiled module that loads it (tsc copies only
 * TypeScript), named by the source's sha256.
 */
function writeCache(distDir, base, { source, sha256 }) {
  const file = join(distDir, `${base}.${sha256.slice(0, 16)}.v8cache`);
  writeFileSync(file, codeCache(source, join(distDir, `${base}.js`)));
}

mkdirSync(OUT_DIR, { recursive: true });
writeIfChanged(
  join(OUT_DIR, '.gitignore'),
  '# generated at build (make validators)\n*\n!.gitignore\n',
);
// Earlier generators wrote the OCI validator to oci-config.ts; its output would linger.
rmSync(join(OUT_DIR, 'oci-config.ts'), { force: true });

const cgherdFile = join(OUT_DIR, 'cgherd-config.ts');
writeIfChanged(cgherdFile, esmModule(cgherdValidatorCode(), cgherdFile));

// The table itself, for `cgherd validate --explain` and the differential test: the rows
// in force are exactly those this build applied.
writeIfChanged(
  join(OUT_DIR, 'amendments.ts'),
  [...HEADER, `export const TABLE = ${JSON.stringify(amendmentsTable(), null, 2)};`, ''].join('\n'),
);

const fullFile = join(OUT_DIR, 'oci-config-full.cts');
const full = scriptSource(ociValidatorCode(true), fullFile);
writeIfChanged(fullFile, sourceModule(full));

const passFile = join(OUT_DIR, 'oci-config-pass.ts');
const pass = scriptSource(stripErrorObjects(ociValidatorCode(false)), passFile);
writeIfChanged(
  passFile,
  [...HEADER, `export const SOURCE_SHA256 = '${pass.sha256}';`, ''].join('\n'),
);

// Caches and pass sources of earlier builds are removed, with the legacy module.
const distDir = dirname(distPathOf(passFile));
mkdirSync(distDir, { recursive: true });
for (const name of readdirSync(distDir)) {
  if (/^oci-config.*\.(v8cache|source\.js)$/.test(name) || name === 'oci-config.js') {
    rmSync(join(distDir, name));
  }
}
writeFileSync(join(distDir, `oci-config-pass.${pass.sha256.slice(0, 16)}.source.js`), pass.source);
writeCache(distDir, 'oci-config-pass', pass);
writeCache(distDir, 'oci-config-full', full);
