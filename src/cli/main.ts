import { type Command, type CommandIo, formatCommandHelp, parseCommandArgs, UsageError } from './command';
import { commands } from './commands/index';

function formatTopLevelHelp(all: Command[]): string {
  const width = Math.max(...all.map((command) => command.name.length), 8);
  const rows = all.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`);
  return [
    'storywatch — follow a developing news story across RSS/Atom feeds',
    '',
    'Usage: storywatch <command> [options]',
    '',
    'Commands:',
    ...rows,
    '',
    'Run "storywatch <command> --help" for the options of one command.',
    '',
  ].join('\n');
}

export async function main(argv: string[], io: CommandIo = process): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(formatTopLevelHelp(commands));
    return name === undefined ? 2 : 0;
  }
  const command = commands.find((candidate) => candidate.name === name);
  if (!command) {
    io.stderr.write(`storywatch: unknown command "${name}"\n\n${formatTopLevelHelp(commands)}`);
    return 2;
  }
  try {
    const parsed = parseCommandArgs(command, rest);
    if (parsed.values.help) {
      io.stdout.write(formatCommandHelp(command));
      return 0;
    }
    return await command.run({ positionals: parsed.positionals, options: parsed.values, io });
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`storywatch ${command.name}: ${error.message}\n\n${formatCommandHelp(command)}`);
      return 2;
    }
    io.stderr.write(`storywatch ${command.name}: ${(error as Error).message}\n`);
    return 1;
  }
}
