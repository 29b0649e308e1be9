import { describe, expect } from 'vitest';
import { createAnalyzerHandler } from '../../../functions/handlers/analyzer';
import { readerEvents } from '../../../functions/lib/reader-events';
import { READER_METRIC } from '../../../src/config/metrics';
import type { FeedItem } from '../../../src/core/feed';
import type { Clock } from '../../../src/core/ports';
import { loadStory } from '../../../src/detection/index';
import { createLlmReader } from '../../../src/reader/llm-reader';
import { recordingLog, recordingMetrics, sqsEvent } from '../../support/handler-rig';
import type { AskedItem, LlmEndpoint, ModelTurn } from '../../support/llm-endpoints';
import { BEDROCK, kremlinOpposes, noSleep, onStoryItem } from '../../support/reader-rig';
import { storageTest } from '../../support/storage';

const story = loadStory('ceasefire-2025');
const clock: Clock = { now: () => new Date('2026-02-10T12:00:00.000Z') };
const it = storageTest.extend({ clock });

/** What a careless model answers for each kind of item; `good` is the one answer that holds up. */
const ANSWERS: Record<string, (item: AskedItem) => Record<string, unknown> | null> = {
  good: kremlinOpposes,
  unknownParty: (item) => ({ ...kremlinOpposes(item), stances: [stance(item, { party: 'narnia' })] }),
  inventedQuote: (item) => ({
    ...kremlinOpposes(item),
    stances: [stance(item, { quote: 'Putin said he would sign the plan tomorrow' })],
  }),
  labelOutsideSet: (item) => ({ ...kremlinOpposes(item), stances: [stance(item, { label: 'neutral' })] }),
  malformedEntry: (item) => ({ ref: item.ref, followUp: 'maybe', stances: 'none' }),
  omitted: () => null,
};

function stance(item: AskedItem, change: Record<string, string>) {
  return { party: 'russia', label: 'opposes', quote: item.title, conditions: [], ...change };
}

describe('rejected model readings in the analyzer’s metrics and log', () => {
  it('counts each rejection by its reason and logs it with its items; counts stranger refs', async ({ store }) => {
    const kinds = new Map<string, string>();
    const items = Object.keys(ANSWERS).map((kind) => {
      const item = onStoryItem(`Kremlin rejects the 30-day ceasefire proposal (${kind})`, 'Peskov said no.');
      kinds.set(item.id, kind);
      return item;
    });
    let wholeAnswerBroken = false;
    const script = (call: { items: AskedItem[] }): ModelTurn => {
      if (wholeAnswerBroken) return { answer: { verdicts: 'all fine' } };
      const entries = call.items.flatMap((asked) => ANSWERS[kinds.get(asked.ref) ?? 'good']?.(asked) ?? []);
      // Two entries nobody asked for: one for an item of another batch, one with no ref at all.
      return {
        answer: { items: [...entries, kremlinOpposes({ ...call.items[0], ref: 'elsewhere' } as AskedItem), {}] },
      };
    };
    const endpoint: LlmEndpoint = await BEDROCK.start(script);
    try {
      const metrics = recordingMetrics();
      const log = recordingLog();
      const reader = createLlmReader({
        transport: BEDROCK.transport(endpoint.endpoint),
        clock,
        sleep: noSleep,
        batchSize: 10,
        log: readerEvents(log, metrics),
      });
      const analyze = createAnalyzerHandler({
        reader,
        store,
        stories: [story],
        clock,
        notifier: { publish: async () => {} },
        metrics,
        log,
      });
      const event = (batch: FeedItem[]) => sqsEvent(batch.map((item) => JSON.stringify(item)));

      expect((await analyze(event(items))).batchItemFailures).toEqual([]);
      wholeAnswerBroken = true;
      const later = [1, 2].map((round) => onStoryItem(`Kremlin rejects the ceasefire plan again, ${round}`));
      expect((await analyze(event(later))).batchItemFailures).toEqual([]);

      expect(metrics.split).toEqual({
        'ReaderRejections{reason=unknown_party}': 1,
        'ReaderRejections{reason=ungrounded_quote}': 1,
        'ReaderRejections{reason=unknown_label}': 1,
        'ReaderRejections{reason=malformed}': 1 + 2,
        'ReaderRejections{reason=omitted}': 1,
      });
      expect(metrics.totals[READER_METRIC.strangerRefs]).toBe(2);
      expect(metrics.totals[READER_METRIC.fallbacks]).toBe(5 + 2);
      expect(metrics.totals[READER_METRIC.modelReadings]).toBe(1);

      const rejected = log.entries.filter((entry) => entry.message.startsWith('model reading rejected'));
      const logged = rejected.map((entry) => {
        const attributes = entry.attributes as { reason: string; itemIds: string[] };
        return [attributes.reason, attributes.itemIds.map((id) => kinds.get(id) ?? 'later')];
      });
      expect(logged).toEqual([
        ['unknown_party', ['unknownParty']],
        ['ungrounded_quote', ['inventedQuote']],
        ['unknown_label', ['labelOutsideSet']],
        ['malformed', ['malformedEntry']],
        ['omitted', ['omitted']],
        ['malformed', ['later', 'later']],
      ]);
      expect(rejected.every((entry) => entry.level === 'warn')).toBe(true);
      const strangers = log.entries.filter((entry) => entry.message.startsWith('model answered about items'));
      expect(strangers.map((entry) => (entry.attributes as { itemIds: string[] }).itemIds)).toEqual([['elsewhere']]);
    } finally {
      await endpoint.close();
    }
  });
});
