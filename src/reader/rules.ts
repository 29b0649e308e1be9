import type { FeedItem } from '../core/feed';
import type { Reader, Reading } from '../core/ports/reader';
import { classifyItem } from '../detection/classify';
import type { StoryProfile } from '../detection/profile';
import type { StoryDefinition } from '../detection/story';

/** The rules reader's id, as stored in `Reading.reader`. */
export const RULES_READER_ID = 'rules';
/**
 * Version of the hand-written detector stored with its readings. Bump it when a detection change should make
 * stored rules readings stale (a replay then reads the items again instead of reusing them).
 */
export const RULES_VERSION = 'rules-1';

/** One item read by the rules: synchronous, no network; the gate score and the fallback of every LLM reader. */
export function readByRules(item: FeedItem, story: StoryDefinition, profile?: StoryProfile): Reading {
  return { ...classifyItem(item, story, profile), reader: RULES_READER_ID, promptVersion: RULES_VERSION };
}

/** Today's detector behind the Reader port: the default offline, in tests and in the demo. */
export function createRulesReader(): Reader {
  return {
    id: RULES_READER_ID,
    promptVersion: RULES_VERSION,
    promptVersionFor: () => RULES_VERSION,
    async read(items: FeedItem[], story: StoryDefinition, profile?: StoryProfile): Promise<Reading[]> {
      return items.map((item) => readByRules(item, story, profile));
    },
  };
}
