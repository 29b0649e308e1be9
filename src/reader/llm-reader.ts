/**
 * The two-stage reader: the rules read every item (no network) and score it; items at or above the gate go to a
 * model in batches, and the model's grounded reading is final for them. Every failure degrades to the rules
 * reading of the items concerned, with the reason counted; `read` itself never throws.
 */
import { mapWithConcurrency } from '../core/concurrency';
import type { FeedItem } from '../core/feed';
import { type Clock, systemClock } from '../core/ports/clock';
import type { Reader, Reading } from '../core/ports/reader';
import {
  type BudgetGrant,
  budgetDay,
  NOTHING_SPENT,
  type ReadingBudget,
  type TokenEstimate,
} from '../core/ports/reading-budget';
import type { StoryProfile } from '../detection/profile';
import type { StoryDefinition } from '../detection/story';
import { UNLIMITED_BUDGET } from './budget';
import { estimateTokens } from './cost';
import { ground, REJECTION_REASONS } from './grounding';
import { ANSWER_TOOL_NAME, PROMPT_TEMPLATE_VERSION, storyPrompt } from './prompt';
import { readByRules } from './rules';
import {
  DEFAULT_RETRY_POLICY,
  type ModelRequest,
  type ModelResponse,
  type ModelTransport,
  type RetryPolicy,
  type Sleep,
  sendWithRetry,
  type TokenUsage,
  TransportError,
} from './transport';
import { answerSchema, parseAnswer, toWireItem, userMessage } from './wire';

/**
 * Rules score at or above which an item goes to the model. Chosen for recall: on every file in the shared
 * evaluation set the lowest-scoring labelled follow-up scores 0.28, so 0.15 leaves room for months to come
 * while keeping 40–60% of the items away from the model.
 */
export const GATE_THRESHOLD = 0.15;
export const DEFAULT_BATCH_SIZE = 8;
/** Per item answered: a follow-up flag, up to a few stances with short quotes, and a sentence or two. */
const OUTPUT_TOKENS_PER_ITEM = 220;
/** The answer's frame around its items. */
const OUTPUT_TOKENS_PER_REQUEST = 200;

export interface ReaderStats {
  itemsRead: number;
  gatePassed: number;
  requests: number;
  attempts: number;
  /** Items whose final reading came from the model. */
  modelReadings: number;
  /** Rules readings that stand in for a model reading, by reason. */
  fallbacks: Record<string, number>;
  /** Answer entries for refs that were not asked for. */
  strangers: number;
  usage: TokenUsage;
}

export interface ReaderLogEntry {
  event: 'reader_fallback' | 'reader_strangers' | 'reader_budget_unsettled';
  reader: string;
  storyId: string;
  reason?: string;
  itemIds?: string[];
  /** How many the entry is about: the items that fell back, or the stranger entries (some may have no ref). */
  count?: number;
  detail?: string;
}

/**
 * Why the model's answer for an item was refused although it came: what the rejection metric counts by reason.
 * The other fallbacks (`budget`, `transport`) are about getting an answer at all.
 */
export const ANSWER_REJECTIONS: readonly string[] = [...REJECTION_REASONS, 'omitted'];

export interface LlmReaderOptions {
  transport: ModelTransport;
  gateThreshold?: number;
  batchSize?: number;
  /** Requests in flight at once for one `read`. */
  concurrency?: number;
  retry?: Partial<RetryPolicy>;
  budget?: ReadingBudget;
  /** Whose day the budget counts against: the system's, or a replay's simulated one. */
  clock?: Clock;
  log?: (entry: ReaderLogEntry) => void;
  sleep?: Sleep;
}

export interface LlmReader extends Reader {
  readonly promptCaching: boolean;
  /** Running totals since the reader was made: the metrics a handler emits and the eval prints. */
  stats(): ReaderStats;
  /** The requests `read` would send for these items, without sending anything. */
  plan(items: FeedItem[], story: StoryDefinition, profile?: StoryProfile): PlannedRequest[];
}

export interface PlannedRequest {
  itemIds: string[];
  request: ModelRequest;
  wire: { url: string; body: unknown };
}

function emptyStats(): ReaderStats {
  return {
    itemsRead: 0,
    gatePassed: 0,
    requests: 0,
    attempts: 0,
    modelReadings: 0,
    fallbacks: {},
    strangers: 0,
    usage: { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 },
  };
}

function chunk<T>(values: T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let start = 0; start < values.length; start += size) chunks.push(values.slice(start, start + size));
  return chunks;
}

/** What every step of one reader shares: its settings, its budget and log, and the running totals. */
interface ReaderContext {
  transport: ModelTransport;
  policy: RetryPolicy;
  budget: ReadingBudget;
  clock: Clock;
  log: (entry: ReaderLogEntry) => void;
  sleep: Sleep | undefined;
  stats: ReaderStats;
}

/** One story's readings of one `read` call: the rules' reading of every item until a model reading replaces it. */
interface ReadJob {
  items: FeedItem[];
  story: StoryDefinition;
  readings: Reading[];
}

export function createLlmReader(options: LlmReaderOptions): LlmReader {
  const { transport } = options;
  const gate = options.gateThreshold ?? GATE_THRESHOLD;
  const batchSize = Math.max(1, options.batchSize ?? DEFAULT_BATCH_SIZE);
  const context: ReaderContext = {
    transport,
    policy: { ...DEFAULT_RETRY_POLICY, ...options.retry },
    budget: options.budget ?? UNLIMITED_BUDGET,
    clock: options.clock ?? systemClock,
    log: options.log ?? ((entry) => process.stderr.write(`${JSON.stringify(entry)}\n`)),
    sleep: options.sleep,
    stats: emptyStats(),
  };
  const { stats } = context;

  return {
    id: transport.id,
    promptVersion: PROMPT_TEMPLATE_VERSION,
    promptVersionFor: (story) => storyPrompt(story).version,
    promptCaching: transport.promptCaching,
    async read(items, story, profile) {
      const job: ReadJob = { items, story, readings: items.map((item) => readByRules(item, story, profile)) };
      const passed = job.readings.flatMap((reading, index) => (reading.score >= gate ? [index] : []));
      stats.itemsRead += items.length;
      stats.gatePassed += passed.length;
      await mapWithConcurrency(chunk(passed, batchSize), options.concurrency ?? 2, (indices) =>
        readBatch(context, job, indices),
      );
      return job.readings;
    },
    stats: () => structuredClone(stats),
    plan(items, story, profile) {
      const passed = items.filter((item) => readByRules(item, story, profile).score >= gate);
      return chunk(passed, batchSize).map((batch) => {
        const request = requestFor(batch, story);
        return { itemIds: batch.map((item) => item.id), request, wire: transport.describe(request) };
      });
    },
  };
}

function requestFor(items: FeedItem[], story: StoryDefinition): ModelRequest {
  const prompt = storyPrompt(story);
  return {
    system: prompt.system,
    user: userMessage(items),
    schema: answerSchema(prompt),
    toolName: ANSWER_TOOL_NAME,
    maxOutputTokens: OUTPUT_TOKENS_PER_REQUEST + OUTPUT_TOKENS_PER_ITEM * items.length,
  };
}

/** The rules' readings of these items stand, marked with why the model's did not; counted and logged. */
function fallBack(context: ReaderContext, job: ReadJob, indices: number[], reason: string, detail?: string): void {
  const { readings, story } = job;
  for (const index of indices) {
    const rules = readings[index];
    if (rules) readings[index] = { ...rules, fallbackReason: reason };
  }
  context.stats.fallbacks[reason] = (context.stats.fallbacks[reason] ?? 0) + indices.length;
  context.log({
    event: 'reader_fallback',
    reader: context.transport.id,
    storyId: story.id,
    reason,
    itemIds: indices.map((index) => readings[index]?.itemId ?? ''),
    count: indices.length,
    ...(detail ? { detail } : {}),
  });
}

async function readBatch(context: ReaderContext, job: ReadJob, indices: number[]): Promise<void> {
  const { budget, stats, transport } = context;
  const { story } = job;
  // The tokens are settled on the day the items were reserved on, even when the answer comes after midnight.
  const day = budgetDay(context.clock.now());
  const estimate = tokenEstimate(
    indices.map((index) => job.items[index] as FeedItem),
    story,
  );
  const grant = await budget.reserve(story.id, day, indices.length, estimate);
  if (grant.items < indices.length) fallBack(context, job, indices.slice(grant.items), 'budget');
  const asked = indices.slice(0, grant.items);
  if (asked.length === 0) return;
  const batch = asked.map((index) => job.items[index] as FeedItem);
  let response: ModelResponse;
  try {
    stats.requests++;
    const sent = await sendWithRetry(transport, requestFor(batch, story), context.policy, context.sleep);
    stats.attempts += sent.attempts;
    response = sent.response;
  } catch (error) {
    stats.attempts += error instanceof TransportError ? error.attempts : 1;
    // No answer, nothing read: the reservation goes back for the items still to come today.
    await settle(context, job, day, grant, NOTHING_SPENT);
    fallBack(context, job, asked, 'transport', (error as Error).message);
    return;
  }
  addUsage(stats.usage, response.usage);
  const spent = { items: grant.items, tokens: response.usage.inputTokens + response.usage.outputTokens };
  await settle(context, job, day, grant, spent);
  applyAnswer(context, job, response.answer, asked);
}

/**
 * The most a request for some of these items may cost: its fixed part, and per item the longest item's text
 * plus the most output asked for it. Held before sending, so requests in flight cannot pass a token limit.
 */
function tokenEstimate(items: FeedItem[], story: StoryDefinition): TokenEstimate {
  const frame = requestFor([], story);
  const perItemText = Math.max(0, ...items.map((item) => estimateTokens(JSON.stringify(toWireItem(item))) + 1));
  return {
    perRequest:
      estimateTokens(frame.system) +
      estimateTokens(JSON.stringify(frame.schema)) +
      estimateTokens(frame.user) +
      frame.maxOutputTokens,
    perItem: perItemText + OUTPUT_TOKENS_PER_ITEM,
  };
}

/**
 * A settlement that fails leaves the reservation standing, which only errs on the side of the limit; the answer
 * is still used, so a redelivery does not pay for it again.
 */
async function settle(context: ReaderContext, job: ReadJob, day: string, grant: BudgetGrant, spent: BudgetGrant) {
  try {
    await context.budget.settle(job.story.id, day, grant, spent);
  } catch (error) {
    context.log({
      event: 'reader_budget_unsettled',
      reader: context.transport.id,
      storyId: job.story.id,
      detail: (error as Error).message,
    });
  }
}

function applyAnswer(context: ReaderContext, job: ReadJob, answer: unknown, asked: number[]): void {
  const { items, story, readings } = job;
  const parsed = parseAnswer(answer);
  if (!parsed) {
    fallBack(context, job, asked, 'malformed', 'the answer is not {"items": [...]}');
    return;
  }
  countStrangers(context, job, parsed, asked);
  const identity = { reader: context.transport.id, promptVersion: storyPrompt(story).version };
  for (const index of asked) {
    const item = items[index] as FeedItem;
    const entry = parsed.byRef.get(item.id);
    if (!entry) {
      fallBack(context, job, [index], parsed.malformedRefs.has(item.id) ? 'malformed' : 'omitted');
      continue;
    }
    const grounded = ground(item, entry, story, readings[index] as Reading, identity);
    if (grounded.ok) {
      readings[index] = grounded.reading;
      context.stats.modelReadings++;
    } else {
      fallBack(context, job, [index], grounded.reason, grounded.detail);
    }
  }
}

/** Answer entries for refs nobody asked about (or with none) are ignored, but counted and logged. */
function countStrangers(
  context: ReaderContext,
  job: ReadJob,
  parsed: NonNullable<ReturnType<typeof parseAnswer>>,
  asked: number[],
): void {
  const askedRefs = new Set(asked.map((index) => job.items[index]?.id));
  const strangers = [...parsed.byRef.keys(), ...parsed.malformedRefs].filter((ref) => !askedRefs.has(ref));
  if (strangers.length + parsed.unreadable === 0) return;
  context.stats.strangers += strangers.length + parsed.unreadable;
  context.log({
    event: 'reader_strangers',
    reader: context.transport.id,
    storyId: job.story.id,
    itemIds: strangers,
    count: strangers.length + parsed.unreadable,
    detail: `${parsed.unreadable} without a ref`,
  });
}

function addUsage(total: TokenUsage, usage: TokenUsage): void {
  total.inputTokens += usage.inputTokens;
  total.outputTokens += usage.outputTokens;
  total.cacheReadTokens += usage.cacheReadTokens;
  total.cacheWriteTokens += usage.cacheWriteTokens;
}
