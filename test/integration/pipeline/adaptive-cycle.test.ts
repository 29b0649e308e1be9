import { afterAll, beforeAll, describe, expect } from 'vitest';
import type { FeedDefinition } from '../../../src/core/feed';
import type { StoryStore } from '../../../src/core/ports';
import { loadStories } from '../../../src/detection/index';
import { DEFAULT_ADAPTIVE_SCHEDULE } from '../../../src/ingestion/adaptive-schedule';
import { feedScheduleSettings } from '../../../src/ingestion/feed-schedule';
import { createHttpFeedFetcher } from '../../../src/ingestion/fetcher';
import { runCycle } from '../../../src/pipeline/run-cycle';
import { type LoopbackFeedServer, startLoopbackFeedServer } from '../../support/loopback-feed-server';
import { storageTest as it } from '../../support/storage';

const RSS = { 'content-type': 'application/rss+xml; charset=utf-8' };
let current = new Date('2026-06-01T09:00:00Z');
const clock = { now: () => current };
const stories = loadStories();
const notifier = { publish: async () => {} };

function rss(entries: { guid: string; title: string }[], ttl = '') {
  const items = entries
    .map(
      (entry) =>
        `<item><guid>${entry.guid}</guid><title>${entry.title}</title><description>${entry.title}.</description></item>`,
    )
    .join('');
  return `<rss version="2.0"><channel><title>Desk</title><language>en</language>${ttl}${items}</channel></rss>`;
}

const STATEMENT = {
  guid: 'https://wire.example/statement-1',
  title: 'Kremlin says it is ready for ceasefire talks with Ukraine',
};
const BRIEFING = { guid: 'https://quiet.example/briefing-2', title: 'Evening briefing on the harbour timetable' };

let store: StoryStore;
let server: LoopbackFeedServer;
let feeds: FeedDefinition[];

beforeAll(async () => {
  server = await startLoopbackFeedServer({});
});
afterAll(async () => {
  await server.close();
});
it.beforeEach(({ store: fresh }) => {
  current = new Date('2026-06-01T09:00:00Z');
  store = fresh;
  feeds = ['wire', 'quiet', 'slow'].map((id) => ({
    id,
    url: server.url(`/${id}.xml`),
    name: id,
    publisher: id,
    language: 'en',
  }));
  server.route('/wire.xml', { headers: RSS, body: rss([STATEMENT]) });
  server.route('/quiet.xml', { headers: RSS, body: rss([BRIEFING]) });
  server.route('/slow.xml', {
    headers: RSS,
    body: rss(
      [{ guid: 'slow-1', title: 'Zelensky says Ukraine will join ceasefire talks with Russia' }],
      '<ttl>45</ttl>',
    ),
  });
});

const cycle = (schedule = feedScheduleSettings(feeds)) =>
  runCycle(
    { store, fetcher: createHttpFeedFetcher({ allowPrivateNetwork: true }), clock, stories, notifier, schedule },
    feeds,
    {
      concurrency: 2,
    },
  );
const dueInSec = async (feedId: string) =>
  (Date.parse((await store.getFeedState(feedId))?.nextPollAt ?? '') - current.getTime()) / 1000;

describe('runCycle with the adaptive schedule', () => {
  it('stores a hot due time for a feed that carried a follow-up, the initial one for a quiet feed', async () => {
    const report = await cycle();
    expect(report.analysis.followUps).toBeGreaterThan(0);
    expect(await dueInSec('wire')).toBe(DEFAULT_ADAPTIVE_SCHEDULE.hotIntervalSec);
    expect(await dueInSec('quiet')).toBe(DEFAULT_ADAPTIVE_SCHEDULE.initialIntervalSec);
    expect((await store.getFeedState('wire'))?.schedule?.lastFollowUpAt).toBe(current.toISOString());
    expect(report.feeds.find((feed) => feed.feedId === 'wire')?.nextPollAt).toBe(
      (await store.getFeedState('wire'))?.nextPollAt,
    );
  });

  it('holds a hot feed to its <ttl>, and the local cycle polls it only when that due time came', async () => {
    await cycle();
    expect((await store.getFeedState('slow'))?.schedule?.lastFollowUpAt).toBe(current.toISOString());
    expect(await dueInSec('slow')).toBe(45 * 60);
    current = new Date(current.getTime() + DEFAULT_ADAPTIVE_SCHEDULE.hotIntervalSec * 1000);
    const second = await cycle();
    expect(second.feeds.map((feed) => feed.feedId)).toEqual(['wire']);
  });

  it('keeps the fixed interval when no schedule is wired', async () => {
    await runCycle(
      { store, fetcher: createHttpFeedFetcher({ allowPrivateNetwork: true }), clock, stories, notifier },
      feeds,
      {
        concurrency: 2,
      },
    );
    expect(await dueInSec('wire')).toBe(900);
    expect((await store.getFeedState('wire'))?.schedule).toBeUndefined();
  });
});
