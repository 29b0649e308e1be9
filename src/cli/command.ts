import { parseArgs } from 'node:util';

export type OptionSpec = {
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
  description: string;
  /** Shown in help; the default itself is applied by the command. */
  defaultText?: string;
};

export interface CommandIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  stdin: NodeJS.ReadableStream;
}

export interface CommandContext {
  positionals: string[];
  options: Record<string, string | boolean | (string | boolean)[] | undefined>;
  io: CommandIo;
  /** Aborted on Ctrl-C or when stdout closes: stop at the next safe point and let `finally` blocks clean up. */
  signal: AbortSignal;
  /** A temp directory that is removed when the command ends, however it ends. */
  tempDir(prefix: string): string;
}

export interface Command {
  name: string;
  summary: string;
  /** e.g. "storywatch fetch <url> [options]" */
  usage: string;
  options: Record<string, OptionSpec>;
  /** Returns the process exit code. */
  run(context: CommandContext): Promise<number>;
}

/** Raised for bad command-line input: printed with the command's usage, exit code 2. */
export class UsageError extends Error {}

export function parseCommandArgs(command: Command, argv: string[]) {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = {
    help: { type: 'boolean', short: 'h' },
  };
  for (const [name, spec] of Object.entries(command.options)) {
    options[name] = {
      type: spec.type,
      ...(spec.short ? { short: spec.short } : {}),
      ...(spec.multiple ? { multiple: true } : {}),
    };
  }
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

export function formatCommandHelp(command: Command): string {
  const lines = [`Usage: ${command.usage}`, '', command.summary, '', 'Options:'];
  const entries = Object.entries(command.options);
  for (const [name, spec] of entries) {
    const flag = `${spec.short ? `-${spec.short}, ` : '    '}--${name}${spec.type === 'string' ? ' <value>' : ''}`;
    const defaultText = spec.defaultText ? ` (default: ${spec.defaultText})` : '';
    lines.push(`  ${flag.padEnd(34)} ${spec.description}${defaultText}`);
  }
  lines.push(`  ${'-h, --help'.padEnd(34)} Show this help`);
  return `${lines.join('\n')}\n`;
}

export function stringOption(context: CommandContext, name: string): string | undefined {
  const value = context.options[name];
  return typeof value === 'string' ? value : undefined;
}

export function booleanOption(context: CommandContext, name: string): boolean {
  return context.options[name] === true;
}

export function numberOption(context: CommandContext, name: string, fallback: number): number {
  const raw = stringOption(context, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value)) throw new UsageError(`--${name} must be a number, got "${raw}"`);
  return value;
}
