import type { StoryProfile } from '../../detection/profile';
import type { StoryDefinition } from '../../detection/story';
import type { FeedItem } from '../feed';
import type { Classification } from '../story';

/**
 * What one reader made of one item for one story: the follow-up verdict, per-party stances with their
 * evidence, and the structured summary (a Classification), plus who read it and with which prompt.
 * A reading is stored with the item, keyed by item digest + reader + prompt version, so a redelivery
 * reuses it instead of asking again.
 */
export interface Reading extends Classification {
  /** `rules`, `bedrock:<model id>` or `openai:<model>`. */
  reader: string;
  /** Version of the instructions the reading was made with; `rules` readings carry the rules' version. */
  promptVersion: string;
  /**
   * Set when a model was asked but its answer was not used for this item and the rules' reading stands in:
   * `budget`, `transport`, `malformed`, `ungrounded_quote`, `unknown_party`, `unknown_label`, `omitted`, …
   */
  fallbackReason?: string;
}

/**
 * The reader port: the one place the pipeline, the CLI and the Lambdas get judgement from. Batch and async so an
 * LLM reader can put several items in one request; a reader never throws for one bad item or one failed request:
 * it answers with the rules' reading for those items and says why in `fallbackReason`.
 */
export interface Reader {
  /** Same form as `Reading.reader`. */
  readonly id: string;
  readonly promptVersion: string;
  /**
   * The version a reading of this story is made with (`Reading.promptVersion` of a model reading): the key a
   * stored reading is found by before anything is asked.
   */
  promptVersionFor(story: StoryDefinition): string;
  /** One reading per item, in the order of `items`. */
  read(items: FeedItem[], story: StoryDefinition, profile?: StoryProfile): Promise<Reading[]>;
}
