import { describe, expect, it } from 'vitest';
import type { FeedItem } from '../../../src/core/feed';
import type { Reading } from '../../../src/core/ports/reader';
import { classifyItem, initialProfile, loadStory, type StoryProfile } from '../../../src/detection/index';
import { readInOrder } from '../../../src/pipeline/story-profiles';
import { readByRules } from '../../../src/reader/rules';

const story = loadStory('ceasefire-2025');

function item(id: string, title: string, description: string, published: string): FeedItem {
  return { id, title, description, link: null, published, source: 'https://wire.example/feed.xml', language: 'en' };
}

// An envoy the story file does not know: two earlier follow-ups made it a candidate, one more makes it trusted.
const known = (profile: StoryProfile) => ({ read: profile, version: 3, profile, learned: [] });
const start: StoryProfile = { ...initialProfile(story), updates: 2, candidates: { zorkovsky: 2 } };
const teaching = item(
  'wire-1',
  'Envoy Zorkovsky says Russia is ready for ceasefire talks with Ukraine',
  'Zorkovsky brought the offer of a ceasefire to Kyiv.',
  '2026-06-01T08:00:00Z',
);
const using = item(
  'wire-2',
  'Zorkovsky shuttle resumes between Moscow and Kyiv',
  'Zorkovsky met officials in both capitals.',
  '2026-06-01T09:00:00Z',
);

describe('a batch read in published order', () => {
  it('judges an item with what the follow-up before it in the same batch taught', () => {
    const given = [teaching, using].map((entry) => readByRules(entry, story, start));
    const { readings, profile } = readInOrder(known(start), [teaching, using], given, story);
    expect(readings[0]).toEqual(given[0]);
    expect(profile.learned.map((summary) => summary.itemId)).toEqual(['wire-1']);
    expect(profile.profile.learned.zorkovsky).toBeGreaterThan(0);
    // The second reading is the one the profile after the first follow-up gives, not the batch-start one.
    expect(readings[1]?.score).toBe(classifyItem(using, story, profile.profile).score);
    expect(readings[1]?.score).toBeGreaterThan(given[1]?.score ?? 1);
  });

  it('keeps a model reading as given and a fallback reason on the rules reading made again', () => {
    const rules = [teaching, using].map((entry) => readByRules(entry, story, start));
    const model: Reading = { ...(rules[0] as Reading), reader: 'openai:test-model', promptVersion: 'p-1' };
    const fallback: Reading = { ...(rules[1] as Reading), fallbackReason: 'transport' };
    const { readings } = readInOrder(known(start), [teaching, using], [model, fallback], story);
    expect(readings[0]).toBe(model);
    expect(readings[1]?.fallbackReason).toBe('transport');
    expect(readings[1]?.score).toBeGreaterThan(fallback.score);
  });

  it('changes nothing when no follow-up in the batch teaches the profile anything', () => {
    const quiet = item(
      'desk-1',
      'Evening briefing on the harbour timetable',
      'Ferries run late.',
      '2026-06-01T07:00:00Z',
    );
    const given = [quiet, using].map((entry) => readByRules(entry, story, start));
    const { readings, profile } = readInOrder(known(start), [quiet, using], given, story);
    expect(readings[1]).toBe(given[1]);
    expect(profile.profile).toBe(start);
  });

  it('reads each item once by the rules when given no readings, ending where a batch read would', () => {
    const quiet = item(
      'desk-1',
      'Evening briefing on the harbour timetable',
      'Ferries run late.',
      '2026-06-01T07:00:00Z',
    );
    const items = [quiet, teaching, using];
    const readFirst = readInOrder(
      known(start),
      items,
      items.map((entry) => readByRules(entry, story, start)),
      story,
    );
    const readHere = readInOrder(known(start), items, undefined, story);
    expect(readHere).toEqual(readFirst);
    // The last item is read with the profile the follow-up before it taught, not with the batch-start one.
    expect(readHere.readings[2]?.score).toBe(classifyItem(using, story, readHere.profile.profile).score);
    expect(readHere.readings[2]?.score).toBeGreaterThan(readByRules(using, story, start).score);
  });

  it('refuses a reader answer that leaves an item out', () => {
    expect(() => readInOrder(known(start), [teaching, using], [readByRules(teaching, story)], story)).toThrow(
      /no reading for item 1 .*wire-2/,
    );
  });
});
