import { afterEach, describe, expect, it } from 'vitest';
import type { FeedItem } from '../../../src/core/feed';
import type { BudgetGrant, BudgetLimits, ReadingBudget, TokenEstimate } from '../../../src/core/ports';
import { loadStory } from '../../../src/detection/index';
import { createMemoryBudget } from '../../../src/reader/budget';
import { createLlmReader } from '../../../src/reader/llm-reader';
import { answering, type LlmEndpoint, type ModelScript } from '../../support/llm-endpoints';
import { kremlinOpposes, noSleep, onStoryItem, PROTOCOLS, type Protocol } from '../../support/reader-rig';

const story = loadStory('ceasefire-2025');
/** Long enough that every request of a batch is still unanswered when the last batch reserves. */
const MODEL_DELAY_MS = 40;

/** A budget that remembers what it was asked for and what it granted and settled. */
function recording(limits: BudgetLimits) {
  const inner = createMemoryBudget(limits);
  const estimates: TokenEstimate[] = [];
  const settled: { grant: BudgetGrant; spent: BudgetGrant }[] = [];
  const budget: ReadingBudget = {
    reserve: (storyId, day, items, estimate) => {
      estimates.push(estimate);
      return inner.reserve(storyId, day, items, estimate);
    },
    settle: async (storyId, day, grant, spent) => {
      settled.push({ grant, spent });
      await inner.settle(storyId, day, grant, spent);
    },
  };
  return { budget, estimates, settled };
}

/** Items of one length, so every batch of two holds the same tokens. */
const kremlinItems = (count: number): FeedItem[] =>
  Array.from({ length: count }, (_, index) =>
    onStoryItem(`Kremlin rejects the ceasefire proposal, round ${index % 10}`, 'Peskov said Moscow would not pause.'),
  );

describe.each(PROTOCOLS)('the $name reader’s token budget with batches in flight', (protocol: Protocol) => {
  let endpoint: LlmEndpoint | undefined;
  afterEach(async () => {
    await endpoint?.close();
    endpoint = undefined;
  });

  async function readerWith(script: ModelScript, budget: ReadingBudget) {
    endpoint ??= await protocol.start(script, { delayMs: MODEL_DELAY_MS });
    const served = endpoint;
    const reader = createLlmReader({
      transport: protocol.transport(served.endpoint),
      budget,
      batchSize: 2,
      concurrency: 4,
      sleep: noSleep,
      retry: { maxAttempts: 1 },
      log: () => {},
    });
    return { reader, calls: served.calls };
  }

  /** What one request of two items holds, learned from a reader with no limit. */
  async function heldForTwo(): Promise<{ held: number; perItem: number }> {
    const probe = recording({});
    await (await readerWith(answering(kremlinOpposes), probe.budget)).reader.read(kremlinItems(2), story);
    const estimate = probe.estimates[0] as TokenEstimate;
    return { held: estimate.perRequest + 2 * estimate.perItem, perItem: estimate.perItem };
  }

  it('sends only the requests whose estimated tokens fit the day, however many are in flight', async () => {
    const { held, perItem } = await heldForTwo();
    // Room for two requests of two items at once, not for a third.
    const limit = 2 * held + Math.floor(perItem / 2);
    const { budget, settled } = recording({ tokensPerDay: limit });
    const { reader, calls: served } = await readerWith(answering(kremlinOpposes), budget);
    const before = served.length;

    const readings = await reader.read(kremlinItems(8), story);

    const calls = served.slice(before);
    expect(calls.map((call) => call.items.length)).toEqual([2, 2]);
    expect(readings.map((reading) => reading.fallbackReason ?? 'model')).toEqual([
      'model',
      'model',
      'model',
      'model',
      'budget',
      'budget',
      'budget',
      'budget',
    ]);
    // What the endpoint said it used stays within the limit, and each answer cost less than was held for it.
    const used = reader.stats().usage;
    expect(used.inputTokens + used.outputTokens).toBeLessThanOrEqual(limit);
    for (const { grant, spent } of settled) {
      expect(spent.items).toBe(grant.items);
      expect(spent.tokens).toBeLessThan(grant.tokens);
    }
    // The day keeps what the answers really cost, not what was held for them.
    expect(settled.reduce((sum, { spent }) => sum + spent.tokens, 0)).toBe(used.inputTokens + used.outputTokens);
  });

  it('gives the whole reservation back when a request gets no answer', async () => {
    const { held } = await heldForTwo();
    const limit = held + 1;
    const { budget, settled } = recording({ tokensPerDay: limit });
    await endpoint?.close();
    endpoint = undefined;
    const { reader, calls } = await readerWith(
      (_call, index) => (index === 0 ? { fail: { status: 503, code: 'ServiceUnavailableException' } } : { answer: {} }),
      budget,
    );

    const failed = await reader.read(kremlinItems(2), story);
    expect(failed.map((reading) => reading.fallbackReason)).toEqual(['transport', 'transport']);
    expect(settled).toEqual([{ grant: { items: 2, tokens: held }, spent: { items: 0, tokens: 0 } }]);
    // The refunded day still has room for the same request.
    await reader.read(kremlinItems(2), story);
    expect(calls).toHaveLength(2);
  });
});
