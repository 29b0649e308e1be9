import type { FollowUpSummary } from '../core/story';
import { isNegotiationLanguage, stanceVocabulary } from './cues';
import { compileStory } from './lexicon';
import type { StoryDefinition } from './story';
import { contentStems, isNewsWord, isStopword, stem, tokenize } from './text';

/**
 * What the detector has learned from confirmed follow-ups, on top of the story's own vocabulary.
 * Plain JSON so the store can keep it as an opaque document.
 */
export interface StoryProfile {
  storyId: string;
  /** Number of follow-ups folded in so far. */
  updates: number;
  /** Stems seen in follow-ups but not yet trusted: stem → decayed document frequency. */
  candidates: Record<string, number>;
  /** Stems trusted for similarity scoring: stem → weight (never above the limits below). */
  learned: Record<string, number>;
  /**
   * Ids of the follow-ups absorbed most recently, newest first: an SQS redelivery or a replay of one of them
   * leaves the profile as it is. Missing on profiles stored before it existed.
   */
  recentItemIds?: string[];
}

/** Limits that keep one odd item (or a burst of them) from capturing the profile. */
export const PROFILE_LIMITS = {
  maxLearnedTerms: 200,
  maxCandidates: 2000,
  /** Decayed document frequency a stem needs before it is trusted: about three recent follow-ups. */
  minDocumentFrequency: 2.5,
  /** New stems one follow-up may contribute. */
  perItemCap: 12,
  /** Per-update multiplicative decay: terms that stop appearing fade out. */
  decay: 0.97,
  maxLearnedWeight: 0.35,
  dropBelow: 0.05,
  /** Absorbed item ids remembered for idempotency; redeliveries come within minutes, replays in order. */
  recentItemIds: 200,
} as const;

export function initialProfile(story: StoryDefinition): StoryProfile {
  return { storyId: story.id, updates: 0, candidates: {}, learned: {}, recentItemIds: [] };
}

function keepTop(record: Record<string, number>, limit: number): Record<string, number> {
  const entries = Object.entries(record);
  if (entries.length <= limit) return record;
  entries.sort((a, b) => b[1] - a[1]);
  return Object.fromEntries(entries.slice(0, limit));
}

/** Folds one confirmed follow-up into the profile; returns a new profile and leaves the input untouched. */
export function adaptProfile(profile: StoryProfile, summary: FollowUpSummary, story: StoryDefinition): StoryProfile {
  if (profile.storyId !== story.id || summary.storyId !== story.id) {
    throw new Error(`profile of "${profile.storyId}" cannot learn from a follow-up of "${summary.storyId}"`);
  }
  // The same object back tells the caller there is nothing to save.
  if (profile.recentItemIds?.includes(summary.itemId)) return profile;
  const seed = compileStory(story).seedTerms;
  const limits = PROFILE_LIMITS;
  const candidates: Record<string, number> = {};
  for (const [term, frequency] of Object.entries(profile.candidates)) {
    const decayed = frequency * limits.decay;
    if (decayed >= limits.dropBelow) candidates[term] = decayed;
  }
  const learned: Record<string, number> = {};
  for (const [term, weight] of Object.entries(profile.learned)) {
    const decayed = weight * limits.decay;
    if (decayed >= limits.dropBelow) learned[term] = decayed;
  }

  const fresh = freshTerms(summary, story, seed).slice(0, limits.perItemCap);

  for (const term of fresh) {
    const frequency = (candidates[term] ?? 0) + 1;
    candidates[term] = frequency;
    if (frequency >= limits.minDocumentFrequency) {
      learned[term] = Math.min(limits.maxLearnedWeight, (learned[term] ?? 0) + 0.1);
    }
  }
  return {
    storyId: profile.storyId,
    updates: profile.updates + 1,
    candidates: keepTop(candidates, limits.maxCandidates),
    learned: keepTop(learned, limits.maxLearnedTerms),
    recentItemIds: [summary.itemId, ...(profile.recentItemIds ?? [])].slice(0, limits.recentItemIds),
  };
}

const byLength = (terms: Iterable<string>) =>
  // Longer stems are more specific (names, places); they are the ones worth learning first.
  [...terms].sort((a, b) => b.length - a.length || (a < b ? -1 : 1));

/**
 * What one follow-up can teach, best first: the new names it carries (people, places, bodies no vocabulary knew),
 * then the other content words of its headline and summary. Words of negotiating itself ("agreed", "talks",
 * "meeting") and of any news report ("officials", "week") are left to the detector: learning them would make
 * every item that negotiates anything look like this story.
 */
function freshTerms(summary: FollowUpSummary, story: StoryDefinition, seed: Map<string, number>): string[] {
  const vocabulary = stanceVocabulary(story);
  const usable = (term: string) => !seed.has(term) && !/^\d+$/.test(term);
  const names = byLength([...contentStems(summary.keyTerms.join(' '))].filter(usable));
  const words = tokenize(`${summary.title} ${summary.summary}`)
    .words.filter(
      (word) => word.length >= 4 && !isStopword(word) && !isNewsWord(word) && !isNegotiationLanguage(vocabulary, word),
    )
    .map(stem)
    .filter(usable);
  return [...new Set([...names, ...byLength(new Set(words))])];
}

/** Accepts a stored profile only when it has the expected shape; anything else falls back to a fresh one. */
export function coerceProfile(value: unknown, story: StoryDefinition): StoryProfile {
  if (typeof value !== 'object' || value === null) return initialProfile(story);
  const candidate = value as Partial<StoryProfile>;
  if (
    candidate.storyId !== story.id ||
    typeof candidate.updates !== 'number' ||
    typeof candidate.candidates !== 'object' ||
    candidate.candidates === null ||
    typeof candidate.learned !== 'object' ||
    candidate.learned === null ||
    (candidate.recentItemIds !== undefined && !Array.isArray(candidate.recentItemIds))
  ) {
    return initialProfile(story);
  }
  return candidate as StoryProfile;
}
