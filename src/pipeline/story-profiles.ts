import type { FeedItem } from '../core/feed';
import type { FollowUps } from '../core/ports/follow-ups';
import type { Reading } from '../core/ports/reader';
import type { FollowUpSummary } from '../core/story';
import {
  adaptProfile,
  coerceProfile,
  initialProfile,
  type StoryDefinition,
  type StoryProfile,
} from '../detection/index';
import { RULES_READER_ID, readByRules } from '../reader/rules';

/** A story's profile as one analysis batch knows it: the version read, and what it learned on top. */
export interface ProfileInBatch {
  readonly read: StoryProfile;
  readonly version: number;
  /** The profile after learning from `learned`. */
  readonly profile: StoryProfile;
  readonly learned: readonly FollowUpSummary[];
}

export async function readProfile(store: FollowUps, story: StoryDefinition): Promise<ProfileInBatch> {
  const stored = await store.getStoryProfile(story.id);
  const read = stored ? coerceProfile(stored.profile, story) : initialProfile(story);
  return { read, version: stored?.version ?? 0, profile: read, learned: [] };
}

/** Learns from the follow-ups, in order. A follow-up the profile already absorbed (a redelivery) teaches nothing. */
export function learnFrom(known: ProfileInBatch, summaries: FollowUpSummary[], story: StoryDefinition): ProfileInBatch {
  let profile = known.profile;
  const learned = [...known.learned];
  for (const summary of summaries) {
    const adapted = adaptProfile(profile, summary, story);
    if (adapted === profile) continue;
    profile = adapted;
    learned.push(summary);
  }
  return { ...known, profile, learned };
}

/** A batch's readings as applied in published order, and the profile after the last follow-up among them. */
export interface ReadInOrder {
  readonly readings: Reading[];
  readonly profile: ProfileInBatch;
}

/**
 * Walks a batch in published order so each item is judged with what the follow-ups before it taught, as if the
 * items had come one batch each. The reader answered for the whole batch with the profile as read (one request
 * per batch for a model); only the readings the rules made (the rules reader, or a model reader's fallback and
 * below-gate items) depend on the profile, so those are made again, cheaply and without I/O, once the profile
 * moved. A model's reading stands as given: the prompt does not carry the profile, and asking again per item
 * would undo the batching. An item that the moved profile would have lifted over a model reader's gate keeps the
 * rules reading: the gate stays as decided when the batch was read. Without `readings` (the rules reader) the rules
 * read each item here, once, with the profile as it stands at that item.
 */
export function readInOrder(
  known: ProfileInBatch,
  items: readonly FeedItem[],
  readings: readonly Reading[] | undefined,
  story: StoryDefinition,
): ReadInOrder {
  let profile = known;
  const applied = items.map((item, index): Reading => {
    const reading = readings
      ? readingInOrder(readings[index], item, index, story, known, profile)
      : readByRules(item, story, profile.profile);
    if (reading.followUp && reading.summary) profile = learnFrom(profile, [reading.summary], story);
    return reading;
  });
  return { readings: applied, profile };
}

/** A reader's reading of the item, made again by the rules when it was theirs and the profile moved since. */
function readingInOrder(
  given: Reading | undefined,
  item: FeedItem,
  index: number,
  story: StoryDefinition,
  known: ProfileInBatch,
  profile: ProfileInBatch,
): Reading {
  if (!given) throw new Error(`the reader gave no reading for item ${index} of the batch (${item.id})`);
  return profile.profile !== known.profile && given.reader === RULES_READER_ID
    ? rulesAgain(item, story, profile.profile, given)
    : given;
}

function rulesAgain(item: FeedItem, story: StoryDefinition, profile: StoryProfile, given: Reading): Reading {
  const reading = readByRules(item, story, profile);
  return given.fallbackReason === undefined ? reading : { ...reading, fallbackReason: given.fallbackReason };
}

/**
 * The profile is soft state: if another writer saved it since we read it, we re-read once, replay what this batch
 * learned on top of theirs, and otherwise let the other writer win.
 */
export async function saveLearnedProfile(store: FollowUps, story: StoryDefinition, known: ProfileInBatch) {
  if (known.learned.length === 0) return;
  if ((await store.saveStoryProfile(story.id, known.profile, known.version)) === 'ok') return;
  const fresh = await store.getStoryProfile(story.id);
  if (!fresh) return;
  const stored = coerceProfile(fresh.profile, story);
  const replayed = known.learned.reduce((profile, summary) => adaptProfile(profile, summary, story), stored);
  if (replayed === stored) return;
  await store.saveStoryProfile(story.id, replayed, fresh.version);
}
