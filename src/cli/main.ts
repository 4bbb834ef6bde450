#!/usr/bin/env node
/**
 * The `ribstore` command: dispatches to the sub-commands in commands.ts.
 *
 * Exit codes: 0 success, 1 runtime failure (bad file, decode error), 2 usage error.
 * Errors print one line on stderr: `ribstore: <message>` (with the error code for a
 * {@link RibstoreError}), never a stack trace unless RIBSTORE_DEBUG is set.
 */
import { readFileSync } from 'node:fs';
import { RibstoreError } from '../errors.js';
import { type Command, loadCommands } from './commands.js';

/** The package version, from the package.json beside dist/ (main.js is dist/src/cli/main.js). */
function packageVersion(): string {
  const text = readFileSync(new URL('../../../package.json', import.meta.url), 'utf8');
  return (JSON.parse(text) as { version: string }).version;
}

function usage(commands: Command[]): string {
  const width = Math.max(0, ...commands.map((c) => c.name.join(' ').length));
  const lines = commands.map((c) => `  ${c.name.join(' ').padEnd(width)}  ${c.summary}`);
  return [
    'Usage: ribstore <command> [options]',
    '       ribstore --version',
    '',
    'Commands:',
    ...lines,
    '',
    'Run `ribstore <command> --help` for the options of a command.',
  ].join('\n');
}

/** Find the command whose name words are the longest prefix of `argv`. */
function match(commands: Command[], argv: string[]): Command | undefined {
  let best: Command | undefined;
  for (const command of commands) {
    const fits = command.name.every((word, i) => argv[i] === word);
    if (fits && (!best || command.name.length > best.name.length)) best = command;
  }
  return best;
}

async function main(argv: string[]): Promise<number> {
  const commands = await loadCommands();
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    console.log(usage(commands));
    return argv.length === 0 ? 2 : 0;
  }
  if (argv[0] === '--version' || argv[0] === '-V') {
    console.log(`ribstore ${packageVersion()}`);
    return 0;
  }
  const command = match(commands, argv);
  // The first word of a group of commands (`mrt` of `mrt dump`): list the group.
  const group = commands.filter((c) => c.name.length > 1 && c.name[0] === argv[0]);
  if (!command && group.length > 0) {
    const help = argv.includes('--help') || argv.includes('-h');
    (help ? console.log : console.error)(usage(group).replace('<command>', `${argv[0]} <command>`));
    return help ? 0 : 2;
  }
  if (!command) {
    console.error(`ribstore: unknown command "${argv.join(' ')}"\n\n${usage(commands)}`);
    return 2;
  }
  const rest = argv.slice(command.name.length);
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(command.help);
    return 0;
  }
  return command.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof RibstoreError) {
      console.error(`ribstore: ${error.message} (${error.code})`);
      if (process.env['RIBSTORE_DEBUG']) console.error(error.stack);
      process.exitCode = error.code === 'INVALID_ARGUMENT' ? 2 : 1;
    } else {
      console.error('ribstore: internal error:', error);
      process.exitCode = 1;
    }
  },
);
