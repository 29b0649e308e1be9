import type { FollowUps } from '../core/ports/follow-ups';
import type { FollowUpSummary } from '../core/story';
import {
  adaptProfile,
  coerceProfile,
  initialProfile,
  type StoryDefinition,
  type StoryProfile,
} from '../detection/index';

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
