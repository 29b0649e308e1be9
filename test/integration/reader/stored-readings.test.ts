import { afterEach, describe, expect } from 'vitest';
import type { FeedItem } from '../../../src/core/feed';
import { type Clock, systemClock } from '../../../src/core/ports';
import { loadStory } from '../../../src/detection/index';
import { analyzeBatch } from '../../../src/pipeline/analyze-batch';
import { createLlmReader } from '../../../src/reader/llm-reader';
import { answering, type LlmEndpoint, type ModelScript } from '../../support/llm-endpoints';
import { kremlinOpposes, noSleep, OFF_STORY, onStoryItem, PROTOCOLS, type Protocol } from '../../support/reader-rig';
import { storageTest } from '../../support/storage';

const story = loadStory('ceasefire-2025');
const clock: Clock = { now: () => new Date('2026-02-10T12:00:00.000Z') };
const it = storageTest.extend({ clock });

describe.each(PROTOCOLS)('stored readings with the $name reader', (protocol: Protocol) => {
  let endpoint: LlmEndpoint | undefined;
  afterEach(async () => {
    await endpoint?.close();
    endpoint = undefined;
  });

  /** The model behind a loopback endpoint; each delivery gets a new reader, as a new Lambda container would. */
  async function model(script: ModelScript) {
    endpoint = await protocol.start(script);
    const served = endpoint;
    const reader = () =>
      createLlmReader({
        transport: protocol.transport(served.endpoint),
        sleep: noSleep,
        log: () => {},
        retry: { maxAttempts: 1 },
      });
    return { calls: served.calls, reader };
  }

  const items = (): FeedItem[] => [
    onStoryItem('Kremlin rejects the 30-day ceasefire proposal', 'Peskov said Moscow would not pause.'),
    onStoryItem('Kremlin rejects the monitoring plan for the ceasefire', 'The Kremlin spokesman spoke in Moscow.'),
    OFF_STORY,
  ];

  it('reads a redelivered batch from the store: no second model request, the same readings', async ({ store }) => {
    const { calls, reader } = await model(answering(kremlinOpposes));
    const batch = items();
    const first = await analyzeBatch({ store, stories: [story], clock, reader: reader() }, batch);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.items.map((item) => item.ref)).toEqual([batch[0]?.id, batch[1]?.id]);

    const again = await analyzeBatch({ store, stories: [story], clock, reader: reader() }, batch);
    expect(calls).toHaveLength(1);
    const readingsOf = (outcome: typeof first) => outcome.items.map((item) => item.stories[0]?.classification);
    expect(readingsOf(again)).toEqual(readingsOf(first));
    expect(readingsOf(again)[0]?.reader).toMatch(new RegExp(`^${protocol.name}:`));
    // Nothing new to alert on: the stance moved once, with the first delivery.
    expect(again.alerts).toEqual([]);
  });

  it('asks only for the items it has no reading of, and again for an item whose text changed', async ({ store }) => {
    const { calls, reader } = await model(answering(kremlinOpposes));
    const [known, edited, ,] = items();
    await analyzeBatch({ store, stories: [story], clock, reader: reader() }, [known as FeedItem, edited as FeedItem]);
    const newcomer = onStoryItem('Kremlin rejects the ceasefire once more', 'Moscow said no again.');
    const changed = { ...(edited as FeedItem), description: 'Updated: the Kremlin spokesman spoke again.' };
    await analyzeBatch({ store, stories: [story], clock, reader: reader() }, [known as FeedItem, changed, newcomer]);
    expect(calls.map((call) => call.items.map((item) => item.ref))).toEqual([
      [known?.id, edited?.id],
      [changed.id, newcomer.id],
    ]);
  });

  it('keeps a rejected answer (no second request), but asks again after a transport failure', async ({ store }) => {
    let failing = true;
    const { calls, reader } = await model((call) => {
      if (failing) return { fail: { status: 500, code: 'InternalServerException' } };
      // An invented quote: grounding rejects it and the rules reading stands in.
      return {
        answer: {
          items: call.items.map((item) => ({
            ...kremlinOpposes(item),
            stances: [{ party: 'russia', label: 'opposes', quote: 'words nobody said', conditions: [] }],
          })),
        },
      };
    });
    const [item] = items();
    const batch = [item as FeedItem];
    const failed = await analyzeBatch({ store, stories: [story], clock, reader: reader() }, batch);
    expect(failed.items[0]?.stories[0]?.classification.fallbackReason).toBe('transport');

    failing = false;
    const rejected = await analyzeBatch({ store, stories: [story], clock, reader: reader() }, batch);
    expect(calls).toHaveLength(2);
    expect(rejected.items[0]?.stories[0]?.classification.fallbackReason).toBe('ungrounded_quote');

    const third = await analyzeBatch({ store, stories: [story], clock, reader: reader() }, batch);
    expect(calls).toHaveLength(2);
    expect(third.items[0]?.stories[0]?.classification).toEqual(rejected.items[0]?.stories[0]?.classification);
  });

  it('asks again when the story file changed, as that changes the prompt version', async ({ store }) => {
    const { calls, reader } = await model(answering(kremlinOpposes));
    const batch = items().slice(0, 1);
    await analyzeBatch({ store, stories: [story], clock, reader: reader() }, batch);
    const edited = { ...story, description: `${story.description} Now also about the Geneva talks.` };
    await analyzeBatch({ store, stories: [edited], clock, reader: reader() }, batch);
    expect(calls).toHaveLength(2);
    expect(calls[1]?.system).not.toBe(calls[0]?.system);
  });
});

describe('the rules reader', () => {
  it('never looks up or stores readings: they cost nothing to make again', async ({ store }) => {
    const asked: string[] = [];
    const watched = {
      ...store,
      getReadings: async (...args: Parameters<typeof store.getReadings>) => {
        asked.push('get');
        return store.getReadings(...args);
      },
      saveReadings: async (...args: Parameters<typeof store.saveReadings>) => {
        asked.push('save');
        return store.saveReadings(...args);
      },
    };
    const batch = [onStoryItem('Kremlin rejects the 30-day ceasefire proposal', 'Peskov said no.'), OFF_STORY];
    const outcome = await analyzeBatch({ store: watched, stories: [story], clock: systemClock }, batch);
    expect(outcome.items[0]?.stories[0]?.classification).toMatchObject({ reader: 'rules', followUp: true });
    expect(asked).toEqual([]);
  });
});
