// `cgherd validate FILE|BUNDLE [--json]`: every problem in an OCI config, for people and
// tools. Same code and same schemas as the validate-config hook on the runtime path.
// Keys and file names are the file author's text: printed escaped (safe-output.ts).
// Exit status follows src/operator/exit.ts: 0 valid, 1 invalid (JSON syntax, a duplicate
// key, or schema), 6 unreadable (missing, a directory, no permission).
// `cgherd validate --explain [--json]`: the amendments to the runtime-spec schemas that
// this build applies, with the rule behind them and their sources.

import { statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Args, Flags } from '@oclif/core';
import { AMENDMENTS, explainLines } from '../validate/amendments.js';
import { validateOciConfigFile } from '../validate/oci-config.js';
import { allIssueLines } from '../validate/report.js';
import { BaseCommand } from '../operator/base-command.js';
import { EXIT, exitCodesHelp } from '../operator/exit.js';
import { safeLine } from '../operator/safe-output.js';

/** A bundle directory means its config.json, as for the runtime. */
function configFileOf(target: string): string {
  const path = resolve(target);
  try {
    if (statSync(path).isDirectory()) return join(path, 'config.json');
  } catch {
    // Missing: validateOciConfigFile reports it.
  }
  return path;
}

export default class Validate extends BaseCommand {
  static override summary =
    'Check an OCI config.json against the runtime-spec 1.2.0 schemas, as cgherd amends them.';
  static override description =
    'Prints every error as a JSON pointer with what was expected and what was found.\n\n' +
    'cgherd refuses only what the lower runtime would also refuse, or what would make it run ' +
    'something other than what the file says; --explain lists the amendments to the ' +
    'schemas that follow from that rule.\n\n' +
    `Exit status:\n${exitCodesHelp([EXIT.OK, EXIT.PROBLEM, EXIT.USAGE, EXIT.CONFIG])}`;
  static override examples = [
    '<%= config.bin %> validate /path/to/bundle',
    '<%= config.bin %> validate ./config.json --json',
    '<%= config.bin %> validate --explain',
  ];
  static override args = {
    target: Args.string({ description: 'config file, or bundle directory (not with --explain)' }),
  };
  static override flags = {
    json: Flags.boolean({ description: 'print the result as JSON', default: false }),
    explain: Flags.boolean({
      description: 'list the amendments to the runtime-spec schemas in force, and why',
      default: false,
    }),
  };

  async run(): Promise<object> {
    const { args, flags } = await this.parse(Validate);
    if (flags.explain) {
      if (args.target !== undefined) this.error('--explain takes no file', { exit: EXIT.USAGE });
      for (const line of explainLines()) this.log(line);
      return AMENDMENTS;
    }
    if (args.target === undefined) {
      this.error('give a config file or bundle directory (or --explain)', { exit: EXIT.USAGE });
    }
    const outcome = validateOciConfigFile(configFileOf(args.target));
    if (outcome.ok) {
      this.log(safeLine(`${outcome.file}: valid`));
      return { file: outcome.file, valid: true, issues: [] };
    }
    for (const line of allIssueLines(outcome)) this.log(safeLine(line));
    const report = { file: outcome.file, valid: false, kind: outcome.kind, issues: outcome.issues };
    return this.finish(report, outcome.kind === 'unreadable' ? EXIT.CONFIG : EXIT.PROBLEM);
  }
}
