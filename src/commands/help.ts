// `cgherd help [COMMAND]`: oclif's help, without the @oclif/plugin-help dependency.

import { Args, Command, Help } from '@oclif/core';

export default class HelpCommand extends Command {
  static override summary = 'Show help for cgherd or one of its commands.';
  static override examples = ['<%= config.bin %> help', '<%= config.bin %> help install podman'];
  static override strict = false;
  static override args = {
    command: Args.string({ description: 'command to show help for', required: false }),
  };

  async run(): Promise<void> {
    const { argv } = await this.parse(HelpCommand);
    await new Help(this.config, { all: false }).showHelp(argv as string[]);
  }
}
