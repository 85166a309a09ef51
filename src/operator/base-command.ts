// What every operator command shares, the oclif way: `--json` through enableJsonFlag (the
// command returns its report; oclif prints it as JSON under --json and silences this.log),
// and errors that carry their exit code, turned by catch() into one plain line on stderr.
// (oclif's own error printer wraps long lines and decorates them; a path must stay
// greppable.) Each command keeps its own `json` flag description (flags as data). The JSON
// goes through safeJson: a report may quote a file author's text (a key, a path, a parser's
// message), which must not drive the operator's terminal.

import { Command, ux } from '@oclif/core';
import { EXIT, OperatorError, type ExitCode } from './exit.js';
import { safeJson } from './safe-output.js';

export abstract class BaseCommand extends Command {
  static override enableJsonFlag = true;

  /** The report to return from run(), with the exit status the command ends with. */
  protected finish<T>(report: T, code: ExitCode): T {
    if (code !== EXIT.OK) process.exitCode = code;
    return report;
  }

  /** oclif prints the report under --json through this; same values, controls escaped. */
  override logJson(json: unknown): void {
    ux.stdout(safeJson(json));
  }

  protected override async catch(err: Error & { exitCode?: number }): Promise<unknown> {
    if (err instanceof OperatorError) {
      const name = ['cgherd', ...(this.id ?? '').split(':').filter(Boolean)].join(' ');
      process.stderr.write(`${name}: ${err.message}\n`);
      this.exit(err.exitCode);
    }
    throw err;
  }
}
