import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { createAnalyzerHandler } from '../../../functions/handlers/analyzer';
import { createDispatcherHandler } from '../../../functions/handlers/dispatcher';
import { createPollerHandler } from '../../../functions/handlers/poller';
import { createDynamoDueFeeds } from '../../../src/adapters/dynamodb/due-feeds';
import { createDynamoStoryHeat } from '../../../src/adapters/dynamodb/story-heat';
import type { FeedDefinition } from '../../../src/core/feed';
import type { AlertNotifier, DueFeeds, StoryHeat, StoryStore } from '../../../src/core/ports';
import { loadStories } from '../../../src/detection/story';
import { DEFAULT_ADAPTIVE_SCHEDULE } from '../../../src/ingestion/adaptive-schedule';
import { feedScheduleSettings } from '../../../src/ingestion/feed-schedule';
import { createHttpFeedFetcher } from '../../../src/ingestion/fetcher';
import { heatFeeds } from '../../../src/pipeline/feed-heat';
import {
  fixedClock,
  lambdaContext,
  memoryFeedQueue,
  memoryItemQueue,
  recordingLog,
  recordingMetrics,
  scheduledEvent,
  sqsEvent,
} from '../../support/handler-rig';
import { type LoopbackFeedServer, startLoopbackFeedServer } from '../../support/loopback-feed-server';
import { storageTest as it } from '../../support/storage';

const FEED_XML = readFileSync(new URL('../../fixtures/handlers/ceasefire-feed.xml', import.meta.url), 'utf8');
const T0 = Date.parse('2025-03-14T12:00:00.000Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000).toISOString();
const { hotIntervalSec, minIntervalSec, initialIntervalSec } = DEFAULT_ADAPTIVE_SCHEDULE;
const stories = loadStories();
const silentNotifier: AlertNotifier = { publish: async () => {} };

let server: LoopbackFeedServer;
let store: StoryStore;
let due: DueFeeds;
let heat: StoryHeat;
/** Runs while the feed's answer is held back: another writer acting during a poll. */
let duringFetch: (() => Promise<void>) | null = null;

beforeAll(async () => {
  server = await startLoopbackFeedServer({
    '/wire.xml': {
      handler: async (request, response) => {
        await duringFetch?.();
        const headers = { 'content-type': 'application/rss+xml; charset=utf-8', etag: '"v1"' };
        if (request.headers['if-none-match'] === '"v1"') response.writeHead(304, headers).end();
        else response.writeHead(200, headers).end(FEED_XML);
      },
    },
  });
});
afterAll(async () => {
  await server?.close();
});
it.beforeEach(({ store: fresh, requests }) => {
  store = fresh;
  due = createDynamoDueFeeds(requests);
  heat = createDynamoStoryHeat(requests);
  duringFetch = null;
});

const wire = (): FeedDefinition => ({
  id: 'wire',
  url: server.url('/wire.xml'),
  name: 'Wire',
  publisher: 'Handler tests',
  language: 'en',
});
const schedule = () => feedScheduleSettings([wire()]);

function poll(seconds: number, itemQueue = memoryItemQueue()) {
  const handler = createPollerHandler({
    store,
    due,
    heat,
    schedule: schedule(),
    clock: fixedClock(at(seconds)),
    fetcher: createHttpFeedFetcher({ allowPrivateNetwork: true, timeoutMs: 5_000 }),
    itemQueue,
    metrics: recordingMetrics(),
    log: recordingLog(),
  });
  return { run: () => handler(sqsEvent([JSON.stringify(wire())]), lambdaContext('poller')), itemQueue };
}

function analyzer(seconds: number) {
  const log = recordingLog();
  const handler = createAnalyzerHandler({
    store,
    stories,
    clock: fixedClock(at(seconds)),
    notifier: silentNotifier,
    metrics: recordingMetrics(),
    log,
    feedHeat: { due, heat, schedule: schedule() },
  });
  return { handler, log };
}

/** The feed's place in the DUE# index. */
async function dueAtOf(feedId: string): Promise<string | undefined> {
  const { entries } = await due.readDue('9999-01-01T00:00:00.000Z', 10);
  return entries.find((entry) => entry.feedId === feedId)?.dueAt;
}

/** Dispatch the feed, poll it at T0; its items as they would sit in the item queue. */
async function dispatchAndPoll(): Promise<string[]> {
  const dispatch = createDispatcherHandler({
    store,
    due,
    clock: fixedClock(at(0)),
    feeds: [wire()],
    feedQueue: memoryFeedQueue(),
    log: recordingLog(),
  });
  expect((await dispatch(scheduledEvent('dispatch'))).enqueued).toEqual(['wire']);
  const polled = poll(0);
  await polled.run();
  return polled.itemQueue.bodies;
}

describe('follow-ups make their feed hot in the Lambda path', () => {
  it('moves the DUE# time of the feed of a confirmed follow-up earlier, to the hot interval', async () => {
    const bodies = await dispatchAndPoll();
    expect(bodies.map((body) => JSON.parse(body).feedId)).toEqual(['wire', 'wire']);
    expect(await dueAtOf('wire')).toBe(at(initialIntervalSec));

    const { handler } = analyzer(30);
    expect((await handler(sqsEvent(bodies), lambdaContext('analyzer'))).batchItemFailures).toEqual([]);

    expect(await dueAtOf('wire')).toBe(at(hotIntervalSec));
    const state = await store.getFeedState('wire');
    expect(state).toMatchObject({ nextPollAt: at(hotIntervalSec), schedule: { lastFollowUpAt: at(30) } });
    expect(await heat.followUpsInLastHour(at(30))).toBe(2);
  });

  it('counts nothing twice and moves nothing again when SQS redelivers the batch', async () => {
    const bodies = await dispatchAndPoll();
    await analyzer(30).handler(sqsEvent(bodies));
    const marked = await store.getFeedState('wire');

    await analyzer(30).handler(sqsEvent(bodies));

    expect(await heat.followUpsInLastHour(at(30))).toBe(2);
    expect(await store.getFeedState('wire')).toEqual(marked);
    expect(await dueAtOf('wire')).toBe(at(hotIntervalSec));
  });

  it('goes to the minimum interval at summit heat, and the next poll keeps the feed at that pace', async () => {
    await heat.recordFollowUps(['elsewhere-1', 'elsewhere-2'], at(-600));
    const bodies = await dispatchAndPoll();
    await analyzer(30).handler(sqsEvent(bodies));
    expect(await dueAtOf('wire')).toBe(at(minIntervalSec));

    await poll(minIntervalSec).run();

    // The poll itself knows no follow-ups (they come later), but the feed is hot and the heat is read.
    expect(await dueAtOf('wire')).toBe(at(2 * minIntervalSec));
  });

  it('keeps the hot mark the analyzer wrote while a poll of the feed was under way', async () => {
    const bodies = await dispatchAndPoll();
    const analyze = analyzer(300);
    duringFetch = async () => {
      duringFetch = null;
      await analyze.handler(sqsEvent(bodies));
    };

    await poll(300).run();

    // Scheduled on top of the mark: the hot interval after this poll, not the quiet feed's longer one.
    const state = await store.getFeedState('wire');
    expect(state?.schedule?.lastFollowUpAt).toBe(at(300));
    expect(await dueAtOf('wire')).toBe(at(300 + hotIntervalSec));
  });

  it('leaves the schedule alone for items whose message names no feed', async () => {
    const bodies = (await dispatchAndPoll()).map((body) => {
      const { feedId: _dropped, ...item } = JSON.parse(body);
      return JSON.stringify(item);
    });
    const { handler } = analyzer(30);
    await handler(sqsEvent(bodies));
    expect(await dueAtOf('wire')).toBe(at(initialIntervalSec));
    expect(await heatFeeds({ store, due, heat, clock: fixedClock(at(30)), schedule: schedule() }, new Map())).toEqual({
      storyHeat: 0,
      advanced: [],
    });
  });
});
