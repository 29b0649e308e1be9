import { afterEach, describe, expect, it } from 'vitest';
import type { FeedItem } from '../../../src/core/feed';
import { loadStory } from '../../../src/detection/index';
import { createMemoryBudget } from '../../../src/reader/budget';
import { createLlmReader, type ReaderLogEntry } from '../../../src/reader/llm-reader';
import { storyPrompt } from '../../../src/reader/prompt';
import { readByRules } from '../../../src/reader/rules';
import { type AskedItem, answering, type LlmEndpoint, type ModelScript } from '../../support/llm-endpoints';
import { kremlinOpposes, noSleep, OFF_STORY, onStoryItem, PROTOCOLS, type Protocol } from '../../support/reader-rig';

const story = loadStory('ceasefire-2025');

describe.each(PROTOCOLS)('the $name reader against a loopback endpoint', (protocol: Protocol) => {
  let endpoint: LlmEndpoint | undefined;
  afterEach(async () => {
    await endpoint?.close();
    endpoint = undefined;
  });

  async function readerFor(
    script: ModelScript,
    extra: Parameters<typeof createLlmReader>[0] extends infer O ? Partial<O> : never = {},
  ) {
    endpoint = await protocol.start(script);
    const log: ReaderLogEntry[] = [];
    const reader = createLlmReader({
      transport: protocol.transport(endpoint.endpoint),
      sleep: noSleep,
      log: (entry) => log.push(entry),
      ...extra,
    });
    return { reader, log, calls: endpoint.calls };
  }

  const kremlinItems = (count: number): FeedItem[] =>
    Array.from({ length: count }, (_, index) =>
      onStoryItem(
        `Kremlin rejects the 30-day ceasefire proposal, round ${index + 1}`,
        'Peskov said Moscow would not pause.',
      ),
    );

  it('sends gated items in batches and keeps the model reading for each, with reader id and prompt version', async () => {
    const { reader, calls } = await readerFor(answering(kremlinOpposes), { batchSize: 4, concurrency: 1 });
    const items = [...kremlinItems(10), OFF_STORY];
    const readings = await reader.read(items, story);

    expect(calls.map((call) => call.items.length)).toEqual([4, 4, 2]);
    expect(calls.flatMap((call) => call.items.map((item) => item.ref))).not.toContain('off-story');
    expect(readings.map((reading) => reading.itemId)).toEqual(items.map((item) => item.id));
    for (const reading of readings.slice(0, 10)) {
      expect(reading.reader).toBe(reader.id);
      expect(reading.reader).toMatch(new RegExp(`^${protocol.name}:`));
      expect(reading.promptVersion).toBe(storyPrompt(story).version);
      // The quote names the Kremlin, one of Russia's own speakers.
      expect(reading.stances).toMatchObject([{ party: 'russia', label: 'opposes', direct: true }]);
      expect(reading.summary?.summary).toContain('Russia turned the plan down');
      expect(reading.fallbackReason).toBeUndefined();
    }
    // Below the gate: the rules reading, never sent, not a fallback.
    expect(readings[10]).toEqual(readByRules(OFF_STORY, story));
    expect(reader.stats()).toMatchObject({
      itemsRead: 11,
      gatePassed: 10,
      requests: 3,
      modelReadings: 10,
      fallbacks: {},
    });
    expect(reader.stats().usage.inputTokens).toBeGreaterThan(0);
  });

  it('puts the story instructions in the system text and the wire items in the user message', async () => {
    const { reader, calls } = await readerFor(answering(kremlinOpposes));
    const [item] = kremlinItems(1);
    await reader.read([item as FeedItem], story);
    const [call] = calls;
    expect(call?.system).toBe(storyPrompt(story).system);
    expect(call?.items).toEqual([
      {
        ref: item?.id,
        title: item?.title,
        description: item?.description,
        published: item?.published,
        source: item?.source,
      },
    ]);
  });

  it('falls back to the rules, counted as malformed, when the answer is not {"items": [...]}', async () => {
    const { reader, log } = await readerFor(() => ({ answer: { readings: 'nothing here' } }));
    const items = kremlinItems(3);
    const readings = await reader.read(items, story);
    readings.forEach((reading, index) => {
      expect(reading).toEqual({ ...readByRules(items[index] as FeedItem, story), fallbackReason: 'malformed' });
    });
    expect(reader.stats().fallbacks).toEqual({ malformed: 3 });
    expect(log).toContainEqual(expect.objectContaining({ event: 'reader_fallback', reason: 'malformed' }));
  });

  it('rejects only the entry that breaks the schema and keeps the others', async () => {
    const { reader } = await readerFor(
      answering((item) =>
        item.title.endsWith('round 2') ? { ref: item.ref, followUp: 'yes', stances: [] } : kremlinOpposes(item),
      ),
    );
    const readings = await reader.read(kremlinItems(3), story);
    expect(readings.map((reading) => reading.fallbackReason ?? reading.reader)).toEqual([
      reader.id,
      'malformed',
      reader.id,
    ]);
  });

  it('rejects a reading whose quote is not in the item, and counts it as ungrounded', async () => {
    const { reader, log } = await readerFor(
      answering((item) => ({
        ...kremlinOpposes(item),
        stances: [
          { party: 'russia', label: 'opposes', quote: 'Putin vowed to fight until every goal is met', conditions: [] },
        ],
      })),
    );
    const [item] = kremlinItems(1);
    const [reading] = await reader.read([item as FeedItem], story);
    expect(reading).toEqual({ ...readByRules(item as FeedItem, story), fallbackReason: 'ungrounded_quote' });
    expect(log[0]).toMatchObject({ reason: 'ungrounded_quote', itemIds: [item?.id] });
  });

  it('accepts a quote that differs only in whitespace and quote marks', async () => {
    const { reader } = await readerFor(
      answering((item) => ({
        ref: item.ref,
        followUp: true,
        stances: [
          { party: 'russia', label: 'opposes', quote: '"Moscow  will not pause", Peskov said', conditions: [] },
        ],
        summary: 'Russia said no.',
      })),
    );
    const item = onStoryItem('Kremlin rejects the ceasefire plan', '“Moscow will not\npause”, Peskov said.');
    const [reading] = await reader.read([item], story);
    expect(reading?.fallbackReason).toBeUndefined();
    expect(reading?.stances[0]).toMatchObject({
      party: 'russia',
      direct: true,
      evidence: '"Moscow will not pause", Peskov said',
    });
  });

  it('rejects a party or label the story does not have', async () => {
    const { reader } = await readerFor(
      answering((item) => ({
        ...kremlinOpposes(item),
        stances: item.title.endsWith('round 1')
          ? [{ party: 'china', label: 'supports', quote: item.title, conditions: [] }]
          : [{ party: 'russia', label: 'lukewarm', quote: item.title, conditions: [] }],
      })),
    );
    const readings = await reader.read(kremlinItems(2), story);
    expect(readings.map((reading) => reading.fallbackReason)).toEqual(['unknown_party', 'unknown_label']);
    expect(reader.stats().fallbacks).toEqual({ unknown_party: 1, unknown_label: 1 });
  });

  it('falls back for items the answer omits and ignores, but counts, refs nobody asked for', async () => {
    const { reader, log } = await readerFor((call) => ({
      answer: {
        items: [
          kremlinOpposes(call.items[0] as AskedItem),
          kremlinOpposes({ ...(call.items[0] as AskedItem), ref: 'stranger' }),
        ],
      },
    }));
    const readings = await reader.read(kremlinItems(2), story);
    expect(readings.map((reading) => reading.fallbackReason)).toEqual([undefined, 'omitted']);
    expect(reader.stats().strangers).toBe(1);
    expect(log).toContainEqual(expect.objectContaining({ event: 'reader_strangers', itemIds: ['stranger'] }));
  });

  it('retries throttling and server errors with backoff, then uses the answer', async () => {
    const failures = [
      { status: 429, code: 'ThrottlingException' },
      { status: 503, code: 'ServiceUnavailableException' },
    ];
    const slept: number[] = [];
    const { reader, calls } = await readerFor(
      (call, index) =>
        index < failures.length ? { fail: failures[index] as never } : answering(kremlinOpposes)(call, index),
      { sleep: async (ms) => void slept.push(ms), retry: { maxAttempts: 3, baseDelayMs: 100 } },
    );
    const readings = await reader.read(kremlinItems(2), story);
    expect(calls).toHaveLength(3);
    expect(slept).toHaveLength(2);
    expect(slept[1] as number).toBeGreaterThan(slept[0] as number);
    expect(readings.every((reading) => reading.reader === reader.id)).toBe(true);
    expect(reader.stats()).toMatchObject({ requests: 1, attempts: 3, fallbacks: {} });
  });

  it('falls back to the rules, counted as transport, when throttling outlasts the retries', async () => {
    const { reader, calls } = await readerFor(() => ({ fail: { status: 429, code: 'ThrottlingException' } }), {
      retry: { maxAttempts: 3 },
    });
    const items = kremlinItems(2);
    const readings = await reader.read(items, story);
    expect(calls).toHaveLength(3);
    expect(readings).toEqual(items.map((item) => ({ ...readByRules(item, story), fallbackReason: 'transport' })));
    expect(reader.stats().fallbacks).toEqual({ transport: 2 });
  });

  it('gives up on a request that never answers after its deadline, and falls back', async () => {
    const { reader, calls } = await readerFor(() => ({ hang: true }), { retry: { maxAttempts: 2, timeoutMs: 300 } });
    const readings = await reader.read(kremlinItems(1), story);
    expect(calls).toHaveLength(2);
    expect(readings[0]?.fallbackReason).toBe('transport');
  });

  it('does not retry a request the endpoint refuses as invalid', async () => {
    const { reader, calls } = await readerFor(() => ({ fail: { status: 400, code: 'ValidationException' } }));
    const readings = await reader.read(kremlinItems(1), story);
    expect(calls).toHaveLength(1);
    expect(readings[0]?.fallbackReason).toBe('transport');
  });

  it('hands over to the rules when the daily budget is spent, counted as budget', async () => {
    const budget = createMemoryBudget({ itemsPerDay: 3 });
    const { reader, calls } = await readerFor(answering(kremlinOpposes), { budget, batchSize: 2, concurrency: 1 });
    const readings = await reader.read(kremlinItems(5), story);
    expect(calls.map((call) => call.items.length)).toEqual([2, 1]);
    expect(readings.map((reading) => reading.fallbackReason ?? 'model')).toEqual([
      'model',
      'model',
      'model',
      'budget',
      'budget',
    ]);
    expect(reader.stats().fallbacks).toEqual({ budget: 2 });
  });
});
