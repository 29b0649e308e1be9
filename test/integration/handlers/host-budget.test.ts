import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { createPollerHandler } from '../../../functions/handlers/poller';
import { createDynamoDueFeeds } from '../../../src/adapters/dynamodb/due-feeds';
import { createDynamoHostBudget } from '../../../src/adapters/dynamodb/host-budget';
import type { FeedDefinition } from '../../../src/core/feed';
import { hostBudgetPlan } from '../../../src/core/host-budget';
import type { DueFeeds, HostRequestBudget, StoryStore } from '../../../src/core/ports';
import { resolveAdaptiveSchedule } from '../../../src/ingestion/adaptive-schedule';
import { feedScheduleSettings } from '../../../src/ingestion/feed-schedule';
import { createHttpFeedFetcher } from '../../../src/ingestion/fetcher';
import { fixedClock, memoryItemQueue, recordingLog, recordingMetrics, sqsEvent } from '../../support/handler-rig';
import { type LoopbackFeedServer, startLoopbackFeedServer } from '../../support/loopback-feed-server';
import { storageTest as it } from '../../support/storage';

const FEED_XML = readFileSync(new URL('../../fixtures/handlers/ceasefire-feed.xml', import.meta.url), 'utf8');
const T0 = Date.parse('2025-03-14T12:00:00.000Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000).toISOString();
/** 12 requests an hour: windows of 720 s with 2 each, one of them kept for hot feeds. */
const SCHEDULE = resolveAdaptiveSchedule({ hostRequestsPerHour: 12, hostHotShare: 0.5 });
const PLAN = hostBudgetPlan(SCHEDULE.hostRequestsPerHour, SCHEDULE.hostHotShare);

let server: LoopbackFeedServer;
let store: StoryStore;
let due: DueFeeds;
let hostBudget: HostRequestBudget;

beforeAll(async () => {
  const rss = { headers: { 'content-type': 'application/rss+xml; charset=utf-8' }, body: FEED_XML };
  // Three feeds of one publisher: one loopback host, so one budget.
  server = await startLoopbackFeedServer({ '/a.xml': rss, '/b.xml': rss, '/hot.xml': rss });
});
afterAll(async () => {
  await server?.close();
});
it.beforeEach(({ store: fresh, requests }) => {
  store = fresh;
  due = createDynamoDueFeeds(requests);
  hostBudget = createDynamoHostBudget(requests, PLAN);
});

const feed = (id: string): FeedDefinition => ({
  id,
  url: server.url(`/${id}.xml`),
  name: id,
  publisher: 'One publisher',
  language: 'en',
});
const feeds = () => [feed('a'), feed('b'), feed('hot')];

/** One poller invocation at `seconds` with these feeds' messages, all of them sharing the table's host budget. */
function poll(seconds: number, ids: string[]) {
  const log = recordingLog();
  const handler = createPollerHandler({
    store,
    due,
    hostBudget,
    schedule: feedScheduleSettings(feeds(), { schedule: SCHEDULE, sharedHostBudget: true }),
    clock: fixedClock(at(seconds)),
    fetcher: createHttpFeedFetcher({ allowPrivateNetwork: true, timeoutMs: 5_000 }),
    itemQueue: memoryItemQueue(),
    metrics: recordingMetrics(),
    log,
  });
  return { run: () => handler(sqsEvent(ids.map((id) => JSON.stringify(feed(id))))), log };
}

async function dueAtOf(feedId: string): Promise<string | undefined> {
  const { entries } = await due.readDue('9999-01-01T00:00:00.000Z', 10);
  return entries.find((entry) => entry.feedId === feedId)?.dueAt;
}

/** Marks the feed hot as the analyzer would: a follow-up it carried at `seconds`. */
async function carriedFollowUp(feedId: string, seconds: number): Promise<void> {
  const state = await store.getFeedState(feedId);
  if (!state?.schedule) throw new Error(`${feedId} has no schedule memory yet`);
  const marked = { ...state, schedule: { ...state.schedule, lastFollowUpAt: at(seconds) } };
  expect(await store.replaceFeedState(state, marked)).toBe(true);
}

describe('the poller takes each poll from the host budget all pollers share', () => {
  it('gives a busy host’s last request of a window to the hot feed; the others wait for the next window', async () => {
    expect(PLAN).toMatchObject({ windowSec: 720, perWindow: 2, ceilings: { hot: 2, other: 1 } });
    await poll(0, ['hot']).run();
    await carriedFollowUp('hot', 60);
    const before = { a: server.hits('/a.xml'), b: server.hits('/b.xml'), hot: server.hits('/hot.xml') };

    // The next window: three messages at once, in parallel in one invocation.
    const { run, log } = poll(730, ['a', 'b', 'hot']);
    expect((await run()).batchItemFailures).toEqual([]);

    expect(server.hits('/hot.xml') - before.hot).toBe(1);
    // The others share what is left under their ceiling: one of them, or none when the hot poll came first.
    const waiting = ['a', 'b'].filter((id) => server.hits(`/${id}.xml`) === before[id as 'a' | 'b']);
    expect(waiting.length).toBeGreaterThanOrEqual(1);
    for (const id of waiting) {
      // Not fetched, nothing stored of it, and due again when the host's next window opens.
      expect(await store.getFeedState(id)).toBeNull();
      expect(await dueAtOf(id)).toBe(at(2 * PLAN.windowSec));
    }
    expect(log.entries.filter((entry) => entry.message.startsWith('poll deferred'))).toHaveLength(waiting.length);
  });

  it('with two pollers at once, a host never gets more than its window allows', async () => {
    const ids = feeds().map((each) => each.id);
    const allHits = () => ids.reduce((sum, id) => sum + server.hits(`/${id}.xml`), 0);
    const before = allHits();
    const results = await Promise.all([poll(10, ids).run(), poll(10, ids).run()]);
    expect(results.every((result) => result.batchItemFailures.length === 0)).toBe(true);
    const hits = allHits() - before;
    // None is hot yet: the part kept for hot feeds stays unused, whoever asks.
    expect(hits).toBeGreaterThan(0);
    expect(hits).toBeLessThanOrEqual(PLAN.ceilings.other);
  });
});
