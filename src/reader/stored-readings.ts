/**
 * Model readings are kept, keyed by item digest + story + reader + prompt version, so a redelivered SQS batch, a
 * retried analysis or a replay of the same items reads them back instead of asking (and paying) the model again,
 * and never gets a different answer the second time.
 */
import { itemDigest } from '../core/item-digest';
import type { Reader, Reading } from '../core/ports/reader';
import type { ReadingKey, Readings } from '../core/ports/readings';
import { RULES_READER_ID } from './rules';

/** Fallbacks where no answer came back: asking again later may well work, so these are not kept. */
const UNANSWERED = new Set(['budget', 'transport']);

/**
 * Whether a reading is final for its key. A model reading is. So is the rules reading standing in for an answer
 * the model did give but that failed grounding: at temperature 0 asking again gives the same answer, at a price.
 * Plain rules readings (items under the gate, the rules reader) are not stored: they cost microseconds and no
 * money to make again, while storing them would add a write per item and story to every batch.
 */
export function isFinalReading(reading: Reading): boolean {
  if (reading.fallbackReason !== undefined) return !UNANSWERED.has(reading.fallbackReason);
  return reading.reader !== RULES_READER_ID;
}

/** The reader with its final readings kept in `store`; the rules reader is returned as it is (nothing to keep). */
export function withStoredReadings(reader: Reader, store: Readings): Reader {
  if (reader.id === RULES_READER_ID) return reader;
  return {
    id: reader.id,
    promptVersion: reader.promptVersion,
    promptVersionFor: (story) => reader.promptVersionFor(story),
    async read(items, story, profile) {
      const promptVersion = reader.promptVersionFor(story);
      const keys = items.map(
        (item): ReadingKey => ({ itemDigest: itemDigest(item), storyId: story.id, reader: reader.id, promptVersion }),
      );
      const readings = await store.getReadings(keys);
      const missing = readings.flatMap((reading, index) => (reading === null ? [index] : []));
      if (missing.length === 0) return readings as Reading[];
      const fresh = await reader.read(
        missing.map((index) => items[index] as (typeof items)[number]),
        story,
        profile,
      );
      const kept = fresh.flatMap((reading, at) => {
        const index = missing[at] as number;
        readings[index] = reading;
        return isFinalReading(reading) ? [{ key: keys[index] as ReadingKey, reading }] : [];
      });
      // Saved before the batch commits: a commit that fails is retried with these readings, not new answers.
      await store.saveReadings(kept);
      return readings as Reading[];
    },
  };
}

/**
 * The store, with the readings found in it counted: how many items a run took back from earlier ones instead of
 * asking the model. Only the lookup is wrapped; every other port of the store is passed on as it is.
 */
export function countingStoredReadings<S extends Readings>(store: S): { store: S; found(): number } {
  let found = 0;
  const counted: S = {
    ...store,
    async getReadings(keys) {
      const readings = await store.getReadings(keys);
      found += readings.filter((reading) => reading !== null).length;
      return readings;
    },
  };
  return { store: counted, found: () => found };
}
