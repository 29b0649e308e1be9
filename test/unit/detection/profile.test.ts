import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FollowUpSummary } from '../../../src/core/story';
import {
  adaptProfile,
  classifyItem,
  coerceProfile,
  initialProfile,
  loadStory,
  PROFILE_LIMITS,
  type StoryProfile,
} from '../../../src/detection/index';
import { feedItem } from '../../support/detection-helpers';

const story = loadStory('ceasefire-2025');

function summaryWith(text: string, itemId = 'item'): FollowUpSummary {
  return {
    storyId: story.id,
    itemId,
    source: 'https://feeds.example.test/world.xml',
    link: null,
    title: text,
    published: '2025-10-01T00:00:00Z',
    score: 0.8,
    summary: text,
    parties: [],
    stances: [],
    conditions: [],
    quotes: [],
    keyTerms: [],
    reasons: [],
  };
}

function foldTimes(profile: StoryProfile, text: string, times: number): StoryProfile {
  let current = profile;
  for (let index = 0; index < times; index++) current = adaptProfile(current, summaryWith(text, `i${index}`), story);
  return current;
}

describe('adaptive story profile', () => {
  it('starts empty and survives a JSON round trip unchanged', () => {
    const profile = initialProfile(story);
    expect(profile).toEqual({ storyId: 'ceasefire-2025', updates: 0, candidates: {}, learned: {}, recentItemIds: [] });
    const adapted = adaptProfile(profile, summaryWith('Zorkovsky mediation in Valletta'), story);
    expect(JSON.parse(JSON.stringify(adapted))).toEqual(adapted);
  });

  it('does not trust a new name seen in one item only', () => {
    const profile = adaptProfile(
      initialProfile(story),
      summaryWith('Envoy Zorkovsky joins the ceasefire talks'),
      story,
    );
    expect(profile.candidates.zorkovsky).toBe(1);
    expect(profile.learned.zorkovsky).toBeUndefined();
  });

  it('trusts a new name once enough follow-ups carry it', () => {
    const profile = foldTimes(initialProfile(story), 'Envoy Zorkovsky joins the ceasefire talks', 3);
    expect(profile.learned.zorkovsky).toBeGreaterThan(0);
    expect(profile.learned.zorkovsky).toBeLessThanOrEqual(PROFILE_LIMITS.maxLearnedWeight);
  });

  it('never learns words the story vocabulary already has', () => {
    const profile = foldTimes(initialProfile(story), 'ceasefire truce Kremlin', 5);
    expect(profile.candidates).toEqual({});
  });

  it('takes at most the per-item cap of new words from one follow-up', () => {
    const manyWords = Array.from(
      { length: 60 },
      (_, index) => `Novelword${String.fromCharCode(97 + (index % 26))}${index}`,
    );
    const profile = adaptProfile(initialProfile(story), summaryWith(manyWords.join(' ')), story);
    expect(Object.keys(profile.candidates)).toHaveLength(PROFILE_LIMITS.perItemCap);
  });

  it('lets a learned word fade out when follow-ups stop carrying it', () => {
    const learned = foldTimes(initialProfile(story), 'Envoy Zorkovsky joins the ceasefire talks', 3);
    const weight = learned.learned.zorkovsky ?? 0;
    const later = foldTimes(learned, 'Ukraine and Russia swap prisoners after Geneva meeting', 10);
    expect(later.learned.zorkovsky ?? 0).toBeLessThan(weight);
    const muchLater = foldTimes(later, 'Ukraine and Russia swap prisoners after Geneva meeting', 120);
    expect(muchLater.learned.zorkovsky).toBeUndefined();
  });

  it('keeps the number of learned and candidate words within the limits whatever it is fed', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.stringMatching(/^[a-z]{4,9}$/), { maxLength: 30 }), { maxLength: 40 }),
        (docs) => {
          let profile = initialProfile(story);
          for (const words of docs) profile = adaptProfile(profile, summaryWith(words.join(' ')), story);
          expect(Object.keys(profile.learned).length).toBeLessThanOrEqual(PROFILE_LIMITS.maxLearnedTerms);
          expect(Object.keys(profile.candidates).length).toBeLessThanOrEqual(PROFILE_LIMITS.maxCandidates);
          for (const weight of Object.values(profile.learned))
            expect(weight).toBeLessThanOrEqual(PROFILE_LIMITS.maxLearnedWeight);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('absorbs a follow-up once: a redelivered or replayed item returns the same profile', () => {
    const once = adaptProfile(initialProfile(story), summaryWith('Zorkovsky mediation in Valletta', 'wire-7'), story);
    const again = adaptProfile(once, summaryWith('Zorkovsky mediation in Valletta', 'wire-7'), story);
    expect(again).toBe(once);
    expect(once.updates).toBe(1);
    const other = adaptProfile(once, summaryWith('Zorkovsky mediation in Valletta', 'wire-8'), story);
    expect(other.updates).toBe(2);
  });

  it('remembers a bounded number of absorbed item ids', () => {
    const profile = foldTimes(initialProfile(story), 'talks', PROFILE_LIMITS.recentItemIds + 20);
    expect(profile.recentItemIds).toHaveLength(PROFILE_LIMITS.recentItemIds);
    expect(profile.recentItemIds?.[0]).toBe(`i${PROFILE_LIMITS.recentItemIds + 19}`);
  });

  it('leaves the profile it was given untouched', () => {
    const before = initialProfile(story);
    const snapshot = JSON.stringify(before);
    adaptProfile(before, summaryWith('Zorkovsky Valletta'), story);
    expect(JSON.stringify(before)).toBe(snapshot);
  });

  it("refuses to learn from another story's follow-up", () => {
    expect(() => adaptProfile(initialProfile(story), { ...summaryWith('x'), storyId: 'other' }, story)).toThrow(
      /cannot learn from a follow-up of "other"/,
    );
  });

  it('raises the score of an item that uses learned words', () => {
    const item = feedItem({ title: 'Zorkovsky and Valletta back on the ceasefire agenda for Ukraine' });
    const learned = foldTimes(initialProfile(story), 'Zorkovsky Valletta mediation', 3);
    const plain = classifyItem(item, story);
    const adapted = classifyItem(item, story, learned);
    expect(adapted.score).toBeGreaterThan(plain.score);
  });

  it('falls back to a fresh profile when the stored one has the wrong shape or story', () => {
    expect(coerceProfile({ storyId: 'other', updates: 1, candidates: {}, learned: {} }, story)).toEqual(
      initialProfile(story),
    );
    expect(coerceProfile('garbage', story)).toEqual(initialProfile(story));
    const valid = foldTimes(initialProfile(story), 'Zorkovsky', 1);
    expect(coerceProfile(JSON.parse(JSON.stringify(valid)), story)).toEqual(valid);
  });
});
