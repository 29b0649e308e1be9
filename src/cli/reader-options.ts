import type { Clock } from '../core/ports/clock';
import type { Reader } from '../core/ports/reader';
import type { BudgetLimits, ReadingBudget } from '../core/ports/reading-budget';
import {
  createReader,
  isLlmReader,
  parseReaderKind,
  READER_KINDS,
  type ReaderConfig,
  ReaderConfigError,
  type ReaderKind,
} from '../reader/config';
import type { ReaderLogEntry } from '../reader/llm-reader';
import { DEFAULT_LLM_API_KEY_ENV } from '../reader/openai';
import { type CommandContext, type OptionSpec, stringOption, UsageError } from './command';

/**
 * Who judges the items: the rules (offline), Bedrock, or any OpenAI-compatible endpoint. LLM endpoints are the
 * user's own configuration, not feed content, so a loopback one (Ollama, a test server) needs no
 * --allow-private-network.
 */
export const READER_OPTIONS: Record<string, OptionSpec> = {
  reader: { type: 'string', description: `Who reads the items: ${READER_KINDS.join(', ')}`, defaultText: 'rules' },
  'bedrock-region': { type: 'string', description: 'AWS region of Bedrock Runtime (with --reader bedrock)' },
  'bedrock-endpoint': { type: 'string', description: 'Converse-speaking endpoint URL instead of the region’s' },
  'llm-endpoint': {
    type: 'string',
    description: `OpenAI-compatible base URL, e.g. http://127.0.0.1:11434/v1 (key from $${DEFAULT_LLM_API_KEY_ENV})`,
  },
  'llm-model': {
    type: 'string',
    description: 'Model: a Bedrock model or inference profile id, or the endpoint’s model name',
    defaultText: 'amazon.nova-lite-v1:0 for bedrock',
  },
};

/**
 * The daily model budget per story, for the commands that read many items (run, replay). `run` counts it in its
 * store, so a second run that day (or one running alongside) gets what is left, not a new allowance; a replay counts
 * it in memory by the archive's clock, spending each archived day's allowance on that day's items.
 */
export const BUDGET_OPTIONS: Record<string, OptionSpec> = {
  'reader-items-per-day': {
    type: 'string',
    description: 'Items per story and UTC day a model may read; the rest go to the rules',
    defaultText: 'no limit',
  },
  'reader-tokens-per-day': {
    type: 'string',
    description: 'Model tokens per story and UTC day; once spent, the rules read the rest of the day',
    defaultText: 'no limit',
  },
};

function httpUrl(name: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`--${name} must be a URL, got "${value}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--${name} must be http(s)`);
  return value;
}

/**
 * The reader the options ask for; its fallbacks and rejections go to stderr as JSON lines. `config` is the one
 * checked before (a command may check its flags before it has its clock); `clock` dates the budget's days;
 * `budget` makes the budget where the day's spend is counted (the store's, for `run`), else it is this process's.
 */
export function readerFromOptions(
  context: CommandContext,
  given: { config?: ReaderConfig; clock?: Clock; budget?: (limits: BudgetLimits) => ReadingBudget } = {},
): Reader {
  const log = (entry: ReaderLogEntry) => context.io.stderr.write(`${JSON.stringify(entry)}\n`);
  const config = given.config ?? readerConfigFromOptions(context);
  const budget = given.budget && config.budget ? given.budget(config.budget) : undefined;
  try {
    return createReader(config, {
      log,
      ...(given.clock ? { clock: given.clock } : {}),
      ...(budget ? { budget } : {}),
    });
  } catch (error) {
    if (error instanceof ReaderConfigError) throw new UsageError(error.message);
    throw error;
  }
}

/** The reader configuration the options ask for, checked (a flag of the other reader is refused). */
export function readerConfigFromOptions(context: CommandContext): ReaderConfig {
  try {
    const kind = parseReaderKind(stringOption(context, 'reader'));
    refuseFlagsOfOtherReaders(context, kind);
    const region = bedrockRegion(context);
    if (kind === 'bedrock' && !region) throw new UsageError('--reader bedrock needs --bedrock-region (or AWS_REGION)');
    const bedrockEndpoint = httpUrl('bedrock-endpoint', stringOption(context, 'bedrock-endpoint'));
    const llmEndpoint = httpUrl('llm-endpoint', stringOption(context, 'llm-endpoint'));
    const llmModel = stringOption(context, 'llm-model');
    // Checked here, with the other flags, so a command learns of it before it opens a store.
    if (kind === 'openai') refuseIncompleteOpenAi(llmEndpoint, llmModel);
    const budget = budgetFromOptions(context, kind);
    return assembleReaderConfig(kind, { budget, region, bedrockEndpoint, llmEndpoint, llmModel });
  } catch (error) {
    if (error instanceof ReaderConfigError) throw new UsageError(error.message);
    throw error;
  }
}

/** Refuses a flag that only another kind of reader takes. */
function refuseFlagsOfOtherReaders(context: CommandContext, kind: ReaderKind): void {
  const bedrockOnly = ['bedrock-region', 'bedrock-endpoint'].filter((name) => stringOption(context, name));
  const openAiOnly = ['llm-endpoint'].filter((name) => stringOption(context, name));
  if (kind === 'rules' && stringOption(context, 'llm-model')) throw new UsageError('--llm-model needs an LLM --reader');
  if (kind !== 'bedrock' && bedrockOnly.length > 0) throw new UsageError(`--${bedrockOnly[0]} needs --reader bedrock`);
  if (kind !== 'openai' && openAiOnly.length > 0) throw new UsageError(`--${openAiOnly[0]} needs --reader openai`);
}

/** The Bedrock region: the flag, else the environment's, else any for a local endpoint (signing needs one). */
function bedrockRegion(context: CommandContext): string | undefined {
  return (
    stringOption(context, 'bedrock-region') ??
    process.env.AWS_REGION ??
    process.env.AWS_DEFAULT_REGION ??
    (stringOption(context, 'bedrock-endpoint') ? 'us-east-1' : undefined)
  );
}

/** An OpenAI-compatible reader needs both an endpoint and a model name. */
function refuseIncompleteOpenAi(llmEndpoint: string | undefined, llmModel: string | undefined): void {
  if (!llmEndpoint) throw new UsageError('--reader openai needs --llm-endpoint (e.g. http://127.0.0.1:11434/v1)');
  if (!llmModel) throw new UsageError('--reader openai needs --llm-model');
}

/** The checked settings as a ReaderConfig: only those given, and the model under the key of its reader. */
function assembleReaderConfig(
  kind: ReaderKind,
  given: {
    budget: BudgetLimits | null;
    region: string | undefined;
    bedrockEndpoint: string | undefined;
    llmEndpoint: string | undefined;
    llmModel: string | undefined;
  },
): ReaderConfig {
  const { budget, region, bedrockEndpoint, llmEndpoint, llmModel } = given;
  const model = kind === 'bedrock' ? llmModel : undefined;
  return {
    reader: kind,
    ...(budget ? { budget } : {}),
    ...(region ? { bedrockRegion: region } : {}),
    ...(bedrockEndpoint ? { bedrockEndpoint } : {}),
    ...(model ? { bedrockModelId: model } : {}),
    ...(llmEndpoint ? { llmEndpoint } : {}),
    ...(kind === 'openai' && llmModel ? { llmModel } : {}),
  };
}

function budgetFromOptions(context: CommandContext, kind: ReaderKind): BudgetLimits | null {
  const limit = (name: string) => {
    const raw = stringOption(context, name);
    if (raw === undefined) return undefined;
    const value = Number(raw);
    if (raw.trim() === '' || !Number.isInteger(value) || value < 1)
      throw new UsageError(`--${name} must be a whole number ≥ 1, got "${raw}"`);
    return value;
  };
  const itemsPerDay = limit('reader-items-per-day');
  const tokensPerDay = limit('reader-tokens-per-day');
  if (itemsPerDay === undefined && tokensPerDay === undefined) return null;
  if (kind === 'rules') throw new UsageError('a reading budget needs an LLM --reader');
  return {
    ...(itemsPerDay !== undefined ? { itemsPerDay } : {}),
    ...(tokensPerDay !== undefined ? { tokensPerDay } : {}),
  };
}

/**
 * What an LLM reader did over a whole run, replay or demo, as one line for stdout; null for the rules. A model that
 * did not answer is said here in words: its items were still analysed, by the rules, and the line names why.
 * Readings found in the store are not asked for; `storedReadings` says how many there were, when counted.
 */
export function readerSummary(reader: Reader, options: { storedReadings?: number } = {}): string | null {
  if (!isLlmReader(reader)) return null;
  const stats = reader.stats();
  const stored = options.storedReadings ? `, ${options.storedReadings} taken from stored readings` : '';
  const asked = `${stats.gatePassed} item(s) past the gate in ${stats.requests} request(s), ${stats.modelReadings} read by the model${stored}`;
  const reasons = Object.entries(stats.fallbacks);
  const fellBack = reasons.reduce((sum, [, count]) => sum + count, 0);
  if (fellBack === 0) return `reader ${reader.id}: ${asked}\n`;
  const why = reasons.map(([reason, count]) => `${reason} ${count}`).join(', ');
  return `reader ${reader.id}: ${asked}; note: ${fellBack} fell back to the rules (${why})\n`;
}
