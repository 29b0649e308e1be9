import { describe, expect } from 'vitest';
import { createDynamoStoryHeat } from '../../../src/adapters/dynamodb/story-heat';
import type { FeedState } from '../../../src/core/feed';
import type { StoryHeat } from '../../../src/core/ports';
import { storageTest } from '../../support/storage';

const T0 = Date.parse('2026-06-01T09:00:00.000Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();

const it = storageTest.extend<{ heat: StoryHeat }>({
  heat: async ({ requests }, use) => {
    await use(createDynamoStoryHeat(requests));
  },
});

describe('the story heat row', () => {
  it('counts each follow-up once and forgets it after an hour', async ({ heat }) => {
    expect(await heat.followUpsInLastHour(at(0))).toBe(0);
    expect(await heat.recordFollowUps(['a', 'b'], at(0))).toBe(2);
    expect(await heat.recordFollowUps(['b', 'c'], at(30))).toBe(3);
    expect(await heat.recordFollowUps(['a'], at(31))).toBe(3);
    expect(await heat.followUpsInLastHour(at(61))).toBe(1);
  });

  it('keeps every follow-up when analyzers note theirs at the same moment', async ({ heat }) => {
    const ids = Array.from({ length: 6 }, (_, index) => `item-${index}`);
    await Promise.all(ids.map((id) => heat.recordFollowUps([id], at(0))));
    expect(await heat.followUpsInLastHour(at(1))).toBe(6);
  });
});

describe('replaceFeedState', () => {
  const state = (nextPollAt: string): FeedState => ({
    feedId: 'desk',
    url: 'https://desk.example/feed.xml',
    etag: null,
    lastModified: null,
    nextPollAt,
    consecutiveFailures: 0,
    status: 'active',
    lastError: null,
    lastPolledAt: null,
    lastSuccessAt: null,
  });

  it('replaces only the state it was given as expected, and inserts only where none is stored', async ({ store }) => {
    expect(await store.replaceFeedState(null, state(at(1)))).toBe(true);
    expect(await store.replaceFeedState(null, state(at(2)))).toBe(false);
    const stored = (await store.getFeedState('desk')) as FeedState;
    expect(await store.replaceFeedState(stored, state(at(3)))).toBe(true);
    expect(await store.replaceFeedState(stored, state(at(4)))).toBe(false);
    expect((await store.getFeedState('desk'))?.nextPollAt).toBe(at(3));
  });
});
