import { afterEach, describe, expect } from 'vitest';
import { createDispatcherHandler } from '../../../functions/handlers/dispatcher';
import { createPollerHandler } from '../../../functions/handlers/poller';
import { createWebSubCallbackHandler } from '../../../functions/handlers/websub';
import { createDynamoDueFeeds } from '../../../src/adapters/dynamodb/due-feeds';
import type { TableRequests } from '../../../src/adapters/dynamodb/requests';
import { createDynamoSubscriptions } from '../../../src/adapters/dynamodb/subscriptions';
import type { FeedDefinition } from '../../../src/core/feed';
import type { DueFeeds, StoryStore } from '../../../src/core/ports';
import type { WebSubSubscriptions } from '../../../src/core/ports/subscriptions';
import { DEFAULT_ADAPTIVE_SCHEDULE } from '../../../src/ingestion/adaptive-schedule';
import { feedScheduleSettings } from '../../../src/ingestion/feed-schedule';
import { createHttpFeedFetcher } from '../../../src/ingestion/fetcher';
import { DEFAULT_FETCH_OPTIONS } from '../../../src/ingestion/options';
import { resumePolling } from '../../../src/pipeline/resume-polling';
import { createHttpHubClient, createWebSubSubscriber } from '../../../src/websub/subscriber';
import { DEFAULT_WEBSUB_CONFIG } from '../../../src/websub/subscription';
import { type FunctionUrlFront, startFunctionUrlFront } from '../../support/function-url-front';
import {
  memoryFeedQueue,
  memoryItemQueue,
  recordingLog,
  recordingMetrics,
  scheduledEvent,
  sqsEvent,
} from '../../support/handler-rig';
import { type LoopbackFeedServer, startLoopbackFeedServer } from '../../support/loopback-feed-server';
import { storageTest } from '../../support/storage';
import { type LoopbackHub, type LoopbackHubOptions, startLoopbackHub } from '../../support/websub-hub';

/**
 * WebSub in AWS, through the handlers' real code paths on dynalite: the poller finds a hub in a feed and subscribes
 * with the callback function's URL; a loopback hub verifies intent at that URL (a function URL front around the
 * real callback handler) and pushes signed content; the dispatcher tick renews leases and, when a subscription
 * stops pushing, puts the feed back on its polling schedule.
 */
const START = Date.parse('2026-06-01T09:00:00.000Z');
const RSS = 'application/rss+xml; charset=utf-8';
const HOUR = 3_600_000;
let current = new Date(START);
const clock = { now: () => current };
const advance = (ms: number) => {
  current = new Date(current.getTime() + ms);
};

const BRIEFING = { guid: 'https://wire.example/briefing-2', title: 'Evening briefing on the harbour negotiations' };
const STATEMENT = { guid: 'https://wire.example/statement-1', title: 'Ministry statement on the ceasefire talks' };

function rss(hub: string, entries: { guid: string; title: string }[]): string {
  const items = entries
    .map((e) => `<item><guid>${e.guid}</guid><title>${e.title}</title><description>${e.title}.</description></item>`)
    .join('');
  return `<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel><title>Wire</title><language>en</language><atom:link rel="hub" href="${hub}"/>${items}</channel></rss>`;
}

let feeds: LoopbackFeedServer;
let hub: LoopbackHub;
let front: FunctionUrlFront;

afterEach(async () => {
  await front?.close();
  await hub?.close();
  await feeds?.close();
});

interface World {
  feed: FeedDefinition;
  store: StoryStore;
  due: DueFeeds;
  subscriptions: WebSubSubscriptions;
  itemQueue: ReturnType<typeof memoryItemQueue>;
  logs: ReturnType<typeof recordingLog>[];
  /** One dispatcher tick: the feeds it sent, and what the WebSub upkeep did. */
  tick(): Promise<Awaited<ReturnType<ReturnType<typeof createDispatcherHandler>>>>;
  poll(): Promise<void>;
}

/** Each test's world on the fixture's store and table: `setUp()` starts the hub, the feeds and the front. */
const it = storageTest.extend<{ setUp: (hubOptions?: LoopbackHubOptions) => Promise<World> }>({
  setUp: async ({ store, requests }, use) => use((hubOptions) => setUpWorld(store, requests, hubOptions)),
});

async function setUpWorld(
  store: StoryStore,
  table: TableRequests,
  hubOptions: LoopbackHubOptions = {},
): Promise<World> {
  current = new Date(START);
  const due = createDynamoDueFeeds(table);
  const subscriptions = createDynamoSubscriptions(table);
  hub = await startLoopbackHub(hubOptions);
  feeds = await startLoopbackFeedServer({});
  feeds.route('/wire.xml', { headers: { 'content-type': RSS }, body: rss(hub.url, [BRIEFING]) });
  const feed = { id: 'wire', url: feeds.url('/wire.xml'), name: 'Wire', publisher: 'Wire', language: 'en' };
  const itemQueue = memoryItemQueue();
  const logs = [recordingLog(), recordingLog(), recordingLog()];
  front = await startFunctionUrlFront(
    createWebSubCallbackHandler({
      subscriptions,
      store,
      itemQueue,
      clock,
      feeds: [feed],
      limits: DEFAULT_FETCH_OPTIONS,
      log: logs[0] as ReturnType<typeof recordingLog>,
    }),
  );
  // What functions/lib/wiring.ts builds for the poller and the dispatcher, with the front's URL as the base.
  const schedule = feedScheduleSettings([feed]);
  const websub = createWebSubSubscriber({
    subscriptions,
    hubClient: createHttpHubClient({ allowPrivateNetwork: true, timeoutMs: 5_000 }),
    clock,
    callbackBase: `${front.url}websub`,
    resumePolling: (feedId) => resumePolling({ store, due, clock, schedule }, feedId),
  });
  const poller = createPollerHandler({
    store,
    due,
    push: websub,
    clock,
    fetcher: createHttpFeedFetcher({ allowPrivateNetwork: true, timeoutMs: 5_000 }),
    schedule,
    itemQueue,
    metrics: recordingMetrics(),
    log: logs[1] as ReturnType<typeof recordingLog>,
  });
  const feedQueue = memoryFeedQueue();
  const dispatcher = createDispatcherHandler({
    store,
    due,
    websub,
    clock,
    feeds: [feed],
    feedQueue,
    log: logs[2] as ReturnType<typeof recordingLog>,
  });
  return {
    feed,
    store,
    due,
    subscriptions,
    itemQueue,
    logs,
    tick: () => dispatcher(scheduledEvent('dispatch')),
    async poll() {
      expect(await poller(sqsEvent([JSON.stringify(feed)]))).toEqual({ batchItemFailures: [] });
      // The analyzer's mark on what was queued, so a push of the same entry later is a duplicate, as in AWS.
      await store.markItemsAnalyzed(itemQueue.items().map((item) => item.id));
    },
  };
}

/** Polls until the hub has verified the subscription (its GET came back with our challenge). */
async function pollAndVerify(world: World, verifiedCount = 1): Promise<void> {
  await world.poll();
  await hub.verified(world.feed.url, verifiedCount);
  await until(async () => (await world.subscriptions.forFeed(world.feed.id))?.status === 'active');
}

async function until(condition: () => Promise<boolean>): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('condition never held');
}

const secondsUntilDue = async (world: World) =>
  (Date.parse((await world.store.getFeedState(world.feed.id))?.nextPollAt ?? '') - current.getTime()) / 1000;

describe('WebSub subscriptions kept from AWS', () => {
  it('subscribes from the poll that finds a hub, with the callback URL and a secret of its own, never logged', async ({
    setUp,
  }) => {
    const world = await setUp();
    expect((await world.tick()).enqueued).toEqual(['wire']);
    await pollAndVerify(world);

    const [request] = hub.requests;
    const stored = await world.subscriptions.forFeed('wire');
    expect(hub.requests).toHaveLength(1);
    expect(request?.get('hub.callback')).toBe(`${front.url}websub/${stored?.id}`);
    expect(request?.get('hub.topic')).toBe(world.feed.url);
    expect(request?.get('hub.secret')).toMatch(/^[0-9a-f]{64}$/);
    expect(stored).toMatchObject({ status: 'active', secret: request?.get('hub.secret'), hub: hub.url });
    // Not pushing yet when the poll saved its state: the feed kept its own pace.
    expect(await secondsUntilDue(world)).toBe(DEFAULT_ADAPTIVE_SCHEDULE.initialIntervalSec);

    // The hub pushes a signed update: its new item goes to the item queue tagged with the feed.
    expect(await hub.publish(world.feed.url, rss(hub.url, [STATEMENT, BRIEFING]), RSS)).toEqual([202]);
    expect(world.itemQueue.items().map((item) => item.title)).toEqual([BRIEFING.title, STATEMENT.title]);

    // The next poll finds the subscription pushing: it asks the hub nothing and polls only as a safety net.
    advance(DEFAULT_ADAPTIVE_SCHEDULE.initialIntervalSec * 1000);
    await world.poll();
    expect(hub.requests).toHaveLength(1);
    expect(await secondsUntilDue(world)).toBe(DEFAULT_ADAPTIVE_SCHEDULE.maxIntervalSec);
    const logged = JSON.stringify(world.logs.map((log) => log.entries));
    expect(logged).not.toContain(stored?.secret);
  });

  it('renews a lease from the tick within the margin, and polls at once when a lease lapses unrenewed', async ({
    setUp,
  }) => {
    const world = await setUp({ leaseSeconds: 3600 });
    await world.tick();
    await pollAndVerify(world);
    advance(DEFAULT_ADAPTIVE_SCHEDULE.initialIntervalSec * 1000);
    await world.poll();
    expect(await secondsUntilDue(world)).toBe(DEFAULT_ADAPTIVE_SCHEDULE.maxIntervalSec);

    // Not yet within the margin (half of a one-hour lease): nothing to do, and nothing read but the due range.
    expect((await world.tick()).websub).toMatchObject({ renewed: [], failed: [], resumed: [] });
    advance(HOUR / 2);
    expect((await world.tick()).websub).toMatchObject({ renewed: ['wire'] });
    await hub.verified(world.feed.url);
    await until(async () => (await world.subscriptions.forFeed('wire'))?.renewalSentAt === null);
    const renewed = await world.subscriptions.forFeed('wire');
    expect(Date.parse(renewed?.leaseExpiresAt ?? '')).toBe(current.getTime() + HOUR);
    expect(hub.requests.map((form) => form.get('hub.callback'))).toEqual([
      `${front.url}websub/${renewed?.id}`,
      `${front.url}websub/${renewed?.id}`,
    ]);

    // The hub stops verifying: the renewal goes out, the lease lapses, and the feed is due at once.
    hub.options.verification = 'silent';
    advance(HOUR / 2);
    expect((await world.tick()).websub).toMatchObject({ renewed: ['wire'] });
    advance(HOUR / 2);
    const lapsed = await world.tick();
    expect(lapsed.websub).toMatchObject({ failed: ['wire'], resumed: ['wire'] });
    expect((await world.subscriptions.forFeed('wire'))?.status).toBe('failed');
    expect((await world.due.readDue(current.toISOString(), 10)).entries.map((entry) => entry.feedId)).toEqual(['wire']);
    expect((await world.tick()).enqueued).toEqual(['wire']);
    // Once put back on polling, the subscription needs no more upkeep.
    expect((await world.tick()).websub).toMatchObject({ renewed: [], failed: [], resumed: [] });
  });

  it('drops a hub that signs wrongly, polls the feed at once, and asks that hub again only a day later', async ({
    setUp,
  }) => {
    const world = await setUp();
    await world.tick();
    await pollAndVerify(world);
    advance(DEFAULT_ADAPTIVE_SCHEDULE.initialIntervalSec * 1000);
    await world.poll();
    hub.options.signatures = 'wrong';
    for (let strike = 0; strike < DEFAULT_WEBSUB_CONFIG.maxStrikes; strike += 1) {
      expect(await hub.publish(world.feed.url, rss(hub.url, [STATEMENT]), RSS)).toEqual([403]);
    }
    expect((await world.subscriptions.forFeed('wire'))?.status).toBe('failed');
    expect((await world.tick()).websub).toMatchObject({ resumed: ['wire'] });
    // Due again as soon as politeness allows: the host's share of its budget (30 s) after the last poll.
    expect((await world.tick()).enqueued).toEqual([]);
    advance(30_000);
    expect((await world.tick()).enqueued).toEqual(['wire']);

    // Polled on its own pace again, the feed still names the hub; the hub is not asked again within the day.
    feeds.route('/wire.xml', { headers: { 'content-type': RSS }, body: rss(hub.url, [STATEMENT, BRIEFING]) });
    await world.poll();
    expect(hub.requests).toHaveLength(1);
    expect(await secondsUntilDue(world)).toBeLessThan(DEFAULT_ADAPTIVE_SCHEDULE.maxIntervalSec);
    expect(world.itemQueue.items().map((item) => item.title)).toEqual([BRIEFING.title, STATEMENT.title]);

    hub.options.signatures = 'valid';
    advance(DEFAULT_WEBSUB_CONFIG.resubscribeAfterSec * 1000);
    await pollAndVerify(world, 1);
    expect(hub.requests).toHaveLength(2);
    const again = await world.subscriptions.forFeed('wire');
    expect(again?.secret).toBe(hub.requests[1]?.get('hub.secret'));
    expect(again?.secret).not.toBe(hub.requests[0]?.get('hub.secret'));
  });
});
