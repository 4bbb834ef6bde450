/**
 * The registry of `ribstore` sub-commands.
 *
 * Each command lives in its own file under commands/ and exports a {@link Command}.
 * A command's name may have two words (`mrt dump`); the dispatcher matches the longest.
 */
export interface Command {
  /** The words that select it, e.g. `['mrt', 'dump']`. */
  readonly name: readonly string[];
  /** One line for the command list. */
  readonly summary: string;
  /** Full `--help` text: usage line, description, every flag. */
  readonly help: string;
  /** Run with the arguments after the command words. Resolves to the process exit code. */
  run(args: string[]): Promise<number>;
}

/** Every command, in the order `ribstore --help` lists them. Add new commands here. */
export async function loadCommands(): Promise<Command[]> {
  const modules = await Promise.all([
    // e.g. import('./commands/mrt-dump.js'),
    import('./commands/serve.js'),
    import('./commands/load.js'),
    import('./commands/lookup.js'),
    import('./commands/export.js'),
    import('./commands/bmp-dump.js'),
    import('./commands/mrt-dump.js'),
  ]);
  return modules.map((module: { command: Command }) => module.command);
}
