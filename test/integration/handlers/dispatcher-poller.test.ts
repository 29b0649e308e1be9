import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { createDispatcherHandler } from '../../../functions/handlers/dispatcher';
import { createPollerHandler } from '../../../functions/handlers/poller';
import { createDynamoDueFeeds } from '../../../src/adapters/dynamodb/due-feeds';
import type { FeedDefinition } from '../../../src/core/feed';
import type { DueFeeds, StoryStore } from '../../../src/core/ports';
import { type FeedScheduleSettings, feedScheduleSettings } from '../../../src/ingestion/feed-schedule';
import { createHttpFeedFetcher } from '../../../src/ingestion/fetcher';
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
import {
  type LoopbackFeedServer,
  type LoopbackRoute,
  startLoopbackFeedServer,
} from '../../support/loopback-feed-server';
import { storageTest as it } from '../../support/storage';

const FEED_XML = readFileSync(new URL('../../fixtures/handlers/ceasefire-feed.xml', import.meta.url), 'utf8');
const NOW = '2025-03-14T12:00:00.000Z';

let server: LoopbackFeedServer;
let store: StoryStore;
let due: DueFeeds;

beforeAll(async () => {
  server = await startLoopbackFeedServer({
    '/wire.xml': (request): LoopbackRoute =>
      request.headers['if-none-match'] === '"v1"'
        ? { status: 304, headers: { etag: '"v1"' } }
        : { headers: { 'content-type': 'application/rss+xml; charset=utf-8', etag: '"v1"' }, body: FEED_XML },
    '/gone.xml': { status: 404, body: 'not here' },
  });
});

afterAll(async () => {
  await server?.close();
});

it.beforeEach(({ store: fresh, requests }) => {
  store = fresh;
  due = createDynamoDueFeeds(requests);
});

const feed = (id: string, path: string): FeedDefinition => ({
  id,
  url: server.url(path),
  name: `Test feed ${id}`,
  publisher: 'Handler tests',
  language: 'en',
});

function poller(
  overrides: { itemQueue?: ReturnType<typeof memoryItemQueue>; schedule?: FeedScheduleSettings; due?: DueFeeds } = {},
) {
  const itemQueue = overrides.itemQueue ?? memoryItemQueue();
  const metrics = recordingMetrics();
  const log = recordingLog();
  const handler = createPollerHandler({
    store,
    clock: fixedClock(NOW),
    fetcher: createHttpFeedFetcher({ allowPrivateNetwork: true, timeoutMs: 5_000 }),
    itemQueue,
    metrics,
    log,
    ...(overrides.schedule ? { schedule: overrides.schedule } : {}),
    ...(overrides.due ? { due: overrides.due } : {}),
  });
  return { handler, itemQueue, metrics, log };
}

describe('dispatcher handler', () => {
  it('enqueues one message per due feed on a scheduler tick and skips feeds polled recently', async () => {
    const feeds = [feed('wire', '/wire.xml'), feed('other', '/gone.xml')];
    const { handler: poll } = poller();
    await poll(sqsEvent([JSON.stringify(feeds[0])]), lambdaContext('poller'));

    const feedQueue = memoryFeedQueue();
    const dispatch = createDispatcherHandler({
      store,
      clock: fixedClock(NOW),
      feeds,
      feedQueue,
      log: recordingLog(),
    });
    const result = await dispatch(scheduledEvent('dispatch'), lambdaContext('dispatcher'));

    expect(result).toEqual({ dueFeeds: 1, enqueued: ['other'] });
    expect(feedQueue.feeds()).toEqual([feeds[1]]);
  });

  it('with the due-time index, sends only due feeds and the poll moves each to its next due time', async () => {
    const feeds = [feed('wire', '/wire.xml'), feed('other', '/gone.xml')];
    const feedQueue = memoryFeedQueue();
    const dispatch = createDispatcherHandler({
      store,
      clock: fixedClock(NOW),
      feeds,
      feedQueue,
      log: recordingLog(),
      due,
    });
    expect(await dispatch(scheduledEvent('dispatch'))).toMatchObject({ dueFeeds: 2, readUnits: expect.any(Number) });
    // Both are leased now: a second tick at the same moment sends nothing.
    expect((await dispatch(scheduledEvent('dispatch'))).enqueued).toEqual([]);
    await poller({ due }).handler(sqsEvent([JSON.stringify(feeds[0])]));
    const state = await store.getFeedState('wire');
    expect((await due.readDue('9999-01-01T00:00:00.000Z', 10)).entries).toContainEqual({
      feedId: 'wire',
      dueAt: state?.nextPollAt,
    });
  });

  it('enqueues every feed of a fresh deployment, each as its own message', async () => {
    const feeds = Array.from({ length: 23 }, (_, index) => feed(`feed-${index}`, `/feed-${index}.xml`));
    const feedQueue = memoryFeedQueue();
    const dispatch = createDispatcherHandler({ store, clock: fixedClock(NOW), feeds, feedQueue, log: recordingLog() });

    const result = await dispatch(scheduledEvent('dispatch'));

    expect(result.dueFeeds).toBe(23);
    expect(feedQueue.bodies).toHaveLength(23);
    expect(feedQueue.feeds().map((f) => f.id)).toEqual(feeds.map((f) => f.id));
  });
});

describe('poller handler', () => {
  it('polls the feed of each message over HTTP and enqueues every new item as its own message', async () => {
    const { handler, itemQueue, metrics } = poller();

    const response = await handler(sqsEvent([JSON.stringify(feed('wire', '/wire.xml'))]), lambdaContext('poller'));

    expect(response).toEqual({ batchItemFailures: [] });
    expect(
      itemQueue
        .items()
        .map((item) => item.id)
        .sort(),
    ).toEqual(['handler-test-0001', 'handler-test-0002'].map((guid) => `${new URL(server.url('/')).host}/${guid}`));
    expect(itemQueue.items()[0]).toMatchObject({
      source: server.url('/wire.xml'),
      published: '2025-03-14T09:30:00.000Z',
    });
    expect(metrics.totals).toMatchObject({ FeedsPolled: 1, ItemsNew: 2 });
    expect(metrics.totals.FeedsFailed ?? 0).toBe(0);
    expect(metrics.flushes).toBe(1);
    const state = await store.getFeedState('wire');
    expect(state).toMatchObject({ etag: '"v1"', lastSuccessAt: NOW, consecutiveFailures: 0 });
    // No connection outlives the invocation: a frozen container must not come back to stale sockets.
    await server.waitForNoConnections(1_000);
  });

  it("stores the adaptive schedule's due time and memory when the poller is given one", async () => {
    const wire = feed('wire', '/wire.xml');
    const schedule = feedScheduleSettings([wire], { feedMinimumSec: { wire: 1_200 } });
    await poller({ schedule }).handler(sqsEvent([JSON.stringify(wire)]));
    const state = await store.getFeedState('wire');
    // The first poll cannot read a rate from a backlog: the initial interval, raised to this feed's own minimum.
    expect(state?.nextPollAt).toBe(new Date(Date.parse(NOW) + 1_200_000).toISOString());
    expect(state?.schedule).toMatchObject({ observedAt: NOW, intervalSec: 900, lastFollowUpAt: null });
  });

  it('sends nothing on a redelivered message once the feed answers 304', async () => {
    const message = JSON.stringify(feed('wire', '/wire.xml'));
    await poller().handler(sqsEvent([message]));
    const second = poller();

    const response = await second.handler(sqsEvent([message]));

    expect(response.batchItemFailures).toEqual([]);
    expect(second.itemQueue.bodies).toEqual([]);
    expect(second.metrics.totals).toMatchObject({ FeedsPolled: 1, FeedsNotModified: 1, ItemsNew: 0 });
  });

  it('treats an HTTP error of the feed as a recorded outcome, not a failed message', async () => {
    const { handler, itemQueue, metrics } = poller();

    const response = await handler(sqsEvent([JSON.stringify(feed('gone', '/gone.xml'))]));

    expect(response.batchItemFailures).toEqual([]);
    expect(itemQueue.bodies).toEqual([]);
    expect(metrics.totals).toMatchObject({ FeedsFailed: 1 });
    expect(metrics.totals.FeedsPolled ?? 0).toBe(0);
    expect(await store.getFeedState('gone')).toMatchObject({
      consecutiveFailures: 1,
      lastError: { kind: 'http_status' },
    });
  });

  it('reports only the malformed message as a batch item failure and processes the rest', async () => {
    const { handler, itemQueue } = poller();
    const event = sqsEvent(['{"id": "no-url"}', JSON.stringify(feed('wire', '/wire.xml')), 'not json']);

    const response = await handler(event);

    expect(response.batchItemFailures.map((failure) => failure.itemIdentifier).sort()).toEqual(
      [event.Records[0]?.messageId, event.Records[2]?.messageId].sort(),
    );
    expect(itemQueue.bodies).toHaveLength(2);
  });

  it('fails the message when its items cannot be enqueued, and the redelivery enqueues them', async () => {
    // A queue outage cannot be produced by the in-memory stand-in without scripting it.
    const brokenQueue = {
      ...memoryItemQueue(),
      sendItems: async () => {
        throw new Error('SQS unavailable');
      },
    };
    const message = JSON.stringify(feed('wire', '/wire.xml'));
    const event = sqsEvent([message, JSON.stringify(feed('gone', '/gone.xml'))]);

    const response = await poller({ itemQueue: brokenQueue }).handler(event);

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: event.Records[0]?.messageId }]);

    // SQS redelivers the message; the feed would answer 304 to the validators saved by the failed attempt.
    const retry = poller();
    const retried = await retry.handler(sqsEvent([message]));

    expect(retried.batchItemFailures).toEqual([]);
    expect(
      retry.itemQueue
        .items()
        .map((item) => item.id)
        .sort(),
    ).toEqual(['handler-test-0001', 'handler-test-0002'].map((guid) => `${new URL(server.url('/')).host}/${guid}`));
  });
});
