import { expect } from 'vitest';
import type { FeedItem } from '../../../src/core/feed';
import { adaptProfile, initialProfile, loadStory, type StoryProfile } from '../../../src/detection/index';
import { commitAnalysis, planAnalysis } from '../../../src/pipeline/analyze-batch';
import { readByRules } from '../../../src/reader/rules';
import { storageTestAt } from '../../support/storage';

const story = loadStory('ceasefire-2025');
const it = storageTestAt('2026-06-01T12:00:00.000Z');

function item(id: string, title: string, description: string, published: string): FeedItem {
  return { id, title, description, link: null, published, source: 'https://wire.example/feed.xml', language: 'en' };
}

// Listed newest first, as a feed does: the batch must still learn from the older one before reading the newer.
const using = item(
  'wire-2',
  'Zorkovsky shuttle resumes between Moscow and Kyiv',
  'Zorkovsky met officials in both capitals.',
  '2026-06-01T09:00:00Z',
);
const teaching = item(
  'wire-1',
  'Envoy Zorkovsky says Russia is ready for ceasefire talks with Ukraine',
  'Zorkovsky brought the offer of a ceasefire to Kyiv.',
  '2026-06-01T08:00:00Z',
);
// Two earlier follow-ups named the envoy; the third makes the name trusted.
const stored: StoryProfile = { ...initialProfile(story), updates: 2, candidates: { zorkovsky: 2 } };

it('reads each item of a batch with what the follow-ups published before it taught', async ({ store }) => {
  expect(await store.saveStoryProfile(story.id, stored, 0)).toBe('ok');
  const deps = { store, stories: [story], clock: { now: () => new Date('2026-06-01T12:00:00Z') } };
  const plan = await planAnalysis(deps, [using, teaching]);
  const part = plan.stories[0];
  expect(plan.items.map((entry) => entry.id)).toEqual(['wire-1', 'wire-2']);
  const summary = part?.readings[0]?.summary;
  if (!summary) throw new Error('the older item should be a follow-up');
  const taught = adaptProfile(stored, summary, story);
  expect(taught.learned.zorkovsky).toBeGreaterThan(0);
  const second = part?.readings[1];
  expect(second?.score).toBe(readByRules(using, story, taught).score);
  expect(second?.score).toBeGreaterThan(readByRules(using, story, stored).score);

  await commitAnalysis(deps, plan);
  const saved = (await store.getStoryProfile(story.id))?.profile as StoryProfile;
  expect(saved.recentItemIds?.[0]).toBe(second?.followUp ? 'wire-2' : 'wire-1');
  expect(saved.learned.zorkovsky).toBeGreaterThan(0);
});
