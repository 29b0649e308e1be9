/**
 * Which reader to build, from CLI flags or Lambda environment variables, and the one factory that builds it.
 * The pipeline, CLI and Lambdas only ever see the Reader port this returns.
 */
import type { Clock } from '../core/ports/clock';
import type { Reader } from '../core/ports/reader';
import { createBedrockTransport, DEFAULT_BEDROCK_MODEL_ID } from './bedrock';
import { type BudgetLimits, createMemoryBudget, type ReadingBudget } from './budget';
import { createLlmReader, type LlmReader, type ReaderLogEntry } from './llm-reader';
import { createOpenAiTransport, DEFAULT_LLM_API_KEY_ENV } from './openai';
import { createRulesReader } from './rules';
import type { ModelTransport, RetryPolicy } from './transport';

export const READER_KINDS = ['rules', 'bedrock', 'openai'] as const;
export type ReaderKind = (typeof READER_KINDS)[number];

export interface ReaderConfig {
  reader: ReaderKind;
  bedrockModelId?: string;
  bedrockRegion?: string;
  bedrockEndpoint?: string;
  llmEndpoint?: string;
  llmModel?: string;
  /** Name of the environment variable holding the OpenAI-compatible key (never the key itself). */
  llmApiKeyEnv?: string;
  gateThreshold?: number;
  batchSize?: number;
  budget?: BudgetLimits;
  retry?: Partial<RetryPolicy>;
}

/** The Lambda side of the contract: infra sets these from `-c reader=... -c bedrockModelId=...`. */
export const READER_ENV = {
  reader: 'STORYWATCH_READER',
  bedrockModelId: 'STORYWATCH_BEDROCK_MODEL_ID',
  itemsPerDay: 'STORYWATCH_READER_ITEMS_PER_DAY',
  tokensPerDay: 'STORYWATCH_READER_TOKENS_PER_DAY',
} as const;

export class ReaderConfigError extends Error {}

export function parseReaderKind(value: string | undefined): ReaderKind {
  const kind = value ?? 'rules';
  if (!(READER_KINDS as readonly string[]).includes(kind)) {
    throw new ReaderConfigError(`unknown reader "${kind}" (expected ${READER_KINDS.join(', ')})`);
  }
  return kind as ReaderKind;
}

function positiveInteger(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) {
    throw new ReaderConfigError(`${name} must be a positive whole number, got "${raw}"`);
  }
  return value;
}

/** Read once at cold start; a bad value fails loudly instead of silently reading with the rules. */
export function readerConfigFromEnv(env: Record<string, string | undefined> = process.env): ReaderConfig {
  const reader = parseReaderKind(env[READER_ENV.reader]?.trim() || undefined);
  const itemsPerDay = positiveInteger(READER_ENV.itemsPerDay, env[READER_ENV.itemsPerDay]);
  const tokensPerDay = positiveInteger(READER_ENV.tokensPerDay, env[READER_ENV.tokensPerDay]);
  const modelId = env[READER_ENV.bedrockModelId]?.trim();
  if (reader === 'bedrock' && !modelId) {
    throw new ReaderConfigError(`${READER_ENV.bedrockModelId} must be set when ${READER_ENV.reader} is bedrock`);
  }
  if (reader === 'openai') throw new ReaderConfigError('the openai reader is for the CLI; deploy with bedrock');
  return {
    reader,
    ...(modelId ? { bedrockModelId: modelId } : {}),
    budget: {
      ...(itemsPerDay !== undefined ? { itemsPerDay } : {}),
      ...(tokensPerDay !== undefined ? { tokensPerDay } : {}),
    },
  };
}

export interface ReaderDependencies {
  log?: (entry: ReaderLogEntry) => void;
  /** The shared budget (DynamoDB in Lambda); without it, one counted in this process from `config.budget`. */
  budget?: ReadingBudget;
  /** The clock of the budget's days. */
  clock?: Clock;
  env?: Record<string, string | undefined>;
}

export function createReader(config: ReaderConfig, dependencies: ReaderDependencies = {}): Reader | LlmReader {
  if (config.reader === 'rules') return createRulesReader();
  const transport = createTransport(config, dependencies.env ?? process.env);
  return createLlmReader({
    transport,
    ...(config.gateThreshold !== undefined ? { gateThreshold: config.gateThreshold } : {}),
    ...(config.batchSize !== undefined ? { batchSize: config.batchSize } : {}),
    ...(config.retry ? { retry: config.retry } : {}),
    budget: dependencies.budget ?? createMemoryBudget(config.budget ?? {}),
    ...(dependencies.clock ? { clock: dependencies.clock } : {}),
    ...(dependencies.log ? { log: dependencies.log } : {}),
  });
}

/** The model endpoint an LLM reader is configured for; also what `story init --reader` drafts a story with. */
export function createTransport(
  config: ReaderConfig,
  env: Record<string, string | undefined> = process.env,
): ModelTransport {
  if (config.reader === 'rules') throw new ReaderConfigError('the rules reader has no model endpoint');
  if (config.reader === 'openai') return openAiTransport(config, env);
  return createBedrockTransport({
    modelId: config.bedrockModelId ?? DEFAULT_BEDROCK_MODEL_ID,
    ...(config.bedrockRegion ? { region: config.bedrockRegion } : {}),
    ...(config.bedrockEndpoint ? { endpoint: config.bedrockEndpoint } : {}),
  });
}

function openAiTransport(config: ReaderConfig, env: Record<string, string | undefined>) {
  if (!config.llmEndpoint)
    throw new ReaderConfigError('--reader openai needs --llm-endpoint (e.g. http://127.0.0.1:11434/v1)');
  if (!config.llmModel) throw new ReaderConfigError('--reader openai needs --llm-model');
  const apiKey = env[config.llmApiKeyEnv ?? DEFAULT_LLM_API_KEY_ENV]?.trim();
  return createOpenAiTransport({
    endpoint: config.llmEndpoint,
    model: config.llmModel,
    ...(apiKey ? { apiKey } : {}),
  });
}

export function isLlmReader(reader: Reader): reader is LlmReader {
  return typeof (reader as Partial<LlmReader>).stats === 'function';
}
