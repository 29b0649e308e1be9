import { afterEach, describe, expect } from 'vitest';
import { createAnalyzerHandler } from '../../../functions/handlers/analyzer';
import { createDynamoReadingBudget } from '../../../src/adapters/dynamodb/reading-budget';
import { createTableRequests } from '../../../src/adapters/dynamodb/requests';
import { READER_METRIC } from '../../../src/config/metrics';
import type { FeedItem } from '../../../src/core/feed';
import type { Clock } from '../../../src/core/ports';
import { loadStory } from '../../../src/detection/index';
import { createLlmReader, type ReaderLogEntry } from '../../../src/reader/llm-reader';
import { recordingLog, recordingMetrics, sqsEvent } from '../../support/handler-rig';
import { answering, type LlmEndpoint } from '../../support/llm-endpoints';
import { BEDROCK, kremlinOpposes, noSleep, onStoryItem } from '../../support/reader-rig';
import { storageTest } from '../../support/storage';

const story = loadStory('ceasefire-2025');
let now = new Date('2026-02-10T12:00:00.000Z');
const clock: Clock = { now: () => now };
const it = storageTest.extend({ clock });

const ITEMS_PER_DAY = 4;

describe('the daily reading budget across analyzer invocations', () => {
  let endpoint: LlmEndpoint | undefined;
  afterEach(async () => {
    await endpoint?.close();
    endpoint = undefined;
    now = new Date('2026-02-10T12:00:00.000Z');
  });

  /**
   * One Lambda container: its own reader, budget adapter and client-side state, as a cold start builds them; only
   * the table and the model endpoint are shared with the others.
   */
  function container(deps: { served: LlmEndpoint; store: Parameters<typeof createAnalyzerHandler>[0]['store'] }) {
    return (tableRequests: ReturnType<typeof createTableRequests>) => {
      const fallbacks: ReaderLogEntry[] = [];
      const metrics = recordingMetrics();
      const reader = createLlmReader({
        transport: BEDROCK.transport(deps.served.endpoint),
        budget: createDynamoReadingBudget(tableRequests, { limits: { itemsPerDay: ITEMS_PER_DAY } }),
        clock,
        sleep: noSleep,
        retry: { maxAttempts: 1 },
        batchSize: 2,
        log: (entry) => fallbacks.push(entry),
      });
      const analyze = createAnalyzerHandler({
        reader,
        store: deps.store,
        stories: [story],
        clock,
        notifier: { publish: async () => {} },
        metrics,
        log: recordingLog(),
      });
      return { analyze, metrics, fallbacks };
    };
  }

  const event = (items: FeedItem[]) => sqsEvent(items.map((item) => JSON.stringify(item)));
  const kremlin = (label: string, count: number) =>
    Array.from({ length: count }, (_, index) =>
      onStoryItem(
        `Kremlin rejects the ${label} ceasefire plan, part ${index + 1}`,
        'Peskov said Moscow would not pause.',
      ),
    );

  it('lets two concurrent invocations send no more than the day’s items to the model between them', async ({
    dynamo,
    tableName,
    store,
  }) => {
    endpoint = await BEDROCK.start(answering(kremlinOpposes));
    const served = endpoint;
    const containerOn = container({ served, store });
    const first = containerOn(createTableRequests(dynamo.client, tableName));
    const second = containerOn(createTableRequests(dynamo.client, tableName));

    const results = await Promise.all([
      first.analyze(event(kremlin('first', 3))),
      second.analyze(event(kremlin('second', 3))),
    ]);
    expect(results.map((result) => result.batchItemFailures)).toEqual([[], []]);

    const asked = served.calls.flatMap((call) => call.items).length;
    expect(asked).toBe(ITEMS_PER_DAY);
    const total = (name: (typeof READER_METRIC)[keyof typeof READER_METRIC]) =>
      (first.metrics.totals[name] ?? 0) + (second.metrics.totals[name] ?? 0);
    expect(total(READER_METRIC.modelReadings)).toBe(ITEMS_PER_DAY);
    expect(total(READER_METRIC.budgetFallbacks)).toBe(6 - ITEMS_PER_DAY);
    const logged = [...first.fallbacks, ...second.fallbacks].filter((entry) => entry.reason === 'budget');
    expect(logged.flatMap((entry) => entry.itemIds ?? [])).toHaveLength(6 - ITEMS_PER_DAY);

    // A cold start later that day finds the day spent: nothing more goes to the model.
    const third = containerOn(createTableRequests(dynamo.client, tableName));
    await third.analyze(event(kremlin('third', 2)));
    expect(served.calls.flatMap((call) => call.items)).toHaveLength(ITEMS_PER_DAY);
    expect(third.metrics.totals[READER_METRIC.budgetFallbacks]).toBe(2);

    // The next UTC day has its own allowance.
    now = new Date('2026-02-11T00:00:05.000Z');
    const nextDay = containerOn(createTableRequests(dynamo.client, tableName));
    await nextDay.analyze(event(kremlin('fourth', 2)));
    expect(served.calls.flatMap((call) => call.items)).toHaveLength(ITEMS_PER_DAY + 2);
    expect(nextDay.metrics.totals[READER_METRIC.budgetFallbacks] ?? 0).toBe(0);
  });
});
