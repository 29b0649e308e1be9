import type { Reading } from './reader';

/**
 * Which reading a stored one stands for: the item's content (its digest, so an item edited at the source is read
 * again), the story, the reader and the version of its instructions. The same four always give the same reading.
 */
export interface ReadingKey {
  itemDigest: string;
  storyId: string;
  reader: string;
  promptVersion: string;
}

export interface StoredReading {
  key: ReadingKey;
  reading: Reading;
}

/**
 * Model readings kept with the items, so a redelivered batch or a replayed item is not sent to the model again and
 * cannot come back with a different answer.
 */
export interface Readings {
  /** The stored reading of each key, in the order of `keys`; null where none is stored. */
  getReadings(keys: ReadingKey[]): Promise<(Reading | null)[]>;
  /** Idempotent: saving a key again replaces its reading (the same one, by the key's definition). */
  saveReadings(entries: StoredReading[]): Promise<void>;
}
