import { readFileSync } from 'node:fs';
import { explainAwsError } from './aws-errors';
import { type Command, type CommandIo, formatCommandHelp, parseCommandArgs, UsageError } from './command';
import { commands } from './commands/index';
import { type CommandLifecycle, createLifecycle } from './lifecycle';

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
    'Run "storywatch <command> --help" for the options of one command, "storywatch --version" for the version.',
    '',
  ].join('\n');
}

/** The version of package.json, the one place it is kept. */
export function storywatchVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return manifest.version;
}

export async function main(argv: string[], io: CommandIo = process): Promise<number> {
  const [name, ...rest] = argv;
  const answered = answerTopLevel(name, io);
  if (answered !== null) return answered;
  const command = commands.find((candidate) => candidate.name === name);
  if (!command) {
    io.stderr.write(`storywatch: unknown command "${name}"\n\n${formatTopLevelHelp(commands)}`);
    return 2;
  }
  const lifecycle = createLifecycle({
    commandName: command.name,
    stdout: io.stdout,
    stderr: io.stderr,
    handleSignals: io === process,
  });
  try {
    return await runCommand(command, rest, io, lifecycle);
  } catch (error) {
    return reportFailure(error, { command, argv: rest, io, lifecycle });
  } finally {
    lifecycle.dispose();
  }
}

/** The exit code of `storywatch`, `--help` or `--version`, which need no command; null for anything else. */
function answerTopLevel(name: string | undefined, io: CommandIo): number | null {
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(formatTopLevelHelp(commands));
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-V' || name === 'version') {
    io.stdout.write(`storywatch ${storywatchVersion()}\n`);
    return 0;
  }
  return null;
}

/** Runs the command (or prints its help); a command whose output was closed on it has succeeded. */
async function runCommand(
  command: Command,
  argv: string[],
  io: CommandIo,
  lifecycle: CommandLifecycle,
): Promise<number> {
  const parsed = parseCommandArgs(command, argv);
  if (parsed.values.help) {
    io.stdout.write(formatCommandHelp(command));
    return 0;
  }
  const code = await command.run({
    positionals: parsed.positionals,
    options: parsed.values,
    io,
    signal: lifecycle.signal,
    tempDir: lifecycle.tempDir,
  });
  return lifecycle.stopReason() === 'output_closed' ? 0 : code;
}

/** Says on stderr why the command failed and returns its exit code. */
function reportFailure(
  error: unknown,
  failed: { command: Command; argv: string[]; io: CommandIo; lifecycle: CommandLifecycle },
): number {
  const { command, io, lifecycle } = failed;
  // Whoever closed our stdout has what they wanted; an interrupted command says so and exits like a shell expects.
  if (lifecycle.stopReason() === 'output_closed') return 0;
  if (lifecycle.stopReason() === 'interrupted') {
    io.stderr.write(`storywatch ${command.name}: stopped before it was done\n`);
    return 130;
  }
  if (error instanceof UsageError) {
    io.stderr.write(`storywatch ${command.name}: ${error.message}\n\n${formatCommandHelp(command)}`);
    return 2;
  }
  const message = explainAwsError(error, { options: optionsOf(command, failed.argv) }) ?? (error as Error).message;
  io.stderr.write(`storywatch ${command.name}: ${message}\n`);
  return 1;
}

function optionsOf(command: Command, argv: string[]) {
  try {
    return parseCommandArgs(command, argv).values;
  } catch {
    return {};
  }
}
