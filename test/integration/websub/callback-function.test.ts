import { afterAll, afterEach, beforeAll, describe, expect } from 'vitest';
import { createAnalyzerHandler } from '../../../functions/handlers/analyzer';
import { createPollerHandler } from '../../../functions/handlers/poller';
import { createWebSubCallbackHandler } from '../../../functions/handlers/websub';
import { createTableRequests } from '../../../src/adapters/dynamodb/requests';
import { createDynamoSubscriptions } from '../../../src/adapters/dynamodb/subscriptions';
import { createSqsItemQueue } from '../../../src/adapters/sqs/queues';
import type { FeedDefinition } from '../../../src/core/feed';
import type { StoryStore } from '../../../src/core/ports';
import type { WebSubSubscriptions } from '../../../src/core/ports/subscriptions';
import { loadStories } from '../../../src/detection/index';
import { createHttpFeedFetcher } from '../../../src/ingestion/fetcher';
import { DEFAULT_FETCH_OPTIONS } from '../../../src/ingestion/options';
import { createHttpHubClient, createWebSubSubscriber } from '../../../src/websub/subscriber';
import { type FunctionUrlFront, startFunctionUrlFront } from '../../support/function-url-front';
import { fixedClock, lambdaContext, recordingLog, recordingMetrics, sqsEvent } from '../../support/handler-rig';
import { type LoopbackFeedServer, startLoopbackFeedServer } from '../../support/loopback-feed-server';
import { startSqsLoopback } from '../../support/sqs-loopback';
import { storageTest as it } from '../../support/storage';
import { type LoopbackHub, type LoopbackHubOptions, startLoopbackHub } from '../../support/websub-hub';

/** The WebSub callback Lambda behind a function URL front: a loopback hub verifies, pushes and misbehaves. */
const NOW = '2026-06-01T09:00:00.000Z';
const RSS = 'application/rss+xml; charset=utf-8';
const ITEM_QUEUE = 'storywatch-items';
const clock = fixedClock(NOW);

const STATEMENT = { guid: 'https://wire.example/statement-1', title: 'Ministry statement on the ceasefire talks' };
const BRIEFING = { guid: 'https://wire.example/briefing-2', title: 'Evening briefing on the harbour negotiations' };

function rss(hub: string, entries: { guid: string; title: string }[]): string {
  const items = entries
    .map((e) => `<item><guid>${e.guid}</guid><title>${e.title}</title><description>${e.title}.</description></item>`)
    .join('');
  return `<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel><title>Wire</title><language>en</language><atom:link rel="hub" href="${hub}"/>${items}</channel></rss>`;
}

let sqs: Awaited<ReturnType<typeof startSqsLoopback>>;
let store: StoryStore;
let subscriptions: WebSubSubscriptions;
let feeds: LoopbackFeedServer;
let hub: LoopbackHub;
let front: FunctionUrlFront;
let feed: FeedDefinition;
let log: ReturnType<typeof recordingLog>;

beforeAll(async () => {
  sqs = await startSqsLoopback();
});
afterAll(async () => {
  await sqs?.close();
});
it.beforeEach(({ store: fresh, requests }) => {
  store = fresh;
  subscriptions = createDynamoSubscriptions(requests);
});
afterEach(async () => {
  await front?.close();
  await hub?.close();
  await feeds?.close();
});

const queued = () => sqs.messages.map((message) => JSON.parse(message.body) as { title: string; feedId: string });

async function setUp(hubOptions: LoopbackHubOptions = {}, registry?: FeedDefinition[]) {
  sqs.messages.length = 0;
  hub = await startLoopbackHub(hubOptions);
  feeds = await startLoopbackFeedServer({});
  feeds.route('/wire.xml', { headers: { 'content-type': RSS }, body: rss(hub.url, [BRIEFING]) });
  feed = { id: 'wire', url: feeds.url('/wire.xml'), name: 'Wire', publisher: 'Wire', language: 'en' };
  log = recordingLog();
  front = await startFunctionUrlFront(
    createWebSubCallbackHandler({
      subscriptions,
      store,
      itemQueue: createSqsItemQueue(sqs.client, sqs.queueUrl(ITEM_QUEUE)),
      clock,
      feeds: registry ?? [feed],
      limits: { ...DEFAULT_FETCH_OPTIONS, maxBytes: 64 * 1024 },
      log,
    }),
  );
}

async function subscribe(): Promise<string> {
  const subscriber = createWebSubSubscriber({
    subscriptions,
    hubClient: createHttpHubClient({ allowPrivateNetwork: true }),
    clock,
    callbackBase: `${front.url}websub`,
  });
  const requested = await subscriber.subscribe(feed, { hubs: [hub.url], self: null });
  await hub.verified(feed.url);
  return requested?.id ?? '';
}

async function poll() {
  const itemQueue = createSqsItemQueue(sqs.client, sqs.queueUrl(ITEM_QUEUE));
  const poller = createPollerHandler({
    store,
    clock,
    fetcher: createHttpFeedFetcher({ allowPrivateNetwork: true, timeoutMs: 5_000 }),
    itemQueue,
    metrics: recordingMetrics(),
    log: recordingLog(),
  });
  return poller(sqsEvent([JSON.stringify(feed)]), lambdaContext('poller'));
}

describe('WebSub callback function behind its function URL', () => {
  it('answers the hub intent verification and stores the lease it granted', async () => {
    await setUp({ leaseSeconds: 7200 });
    const id = await subscribe();
    const stored = await subscriptions.get(id);
    expect(stored).toMatchObject({ status: 'active', leaseSeconds: 7200 });
    expect(stored?.leaseExpiresAt).toBe(new Date(Date.parse(NOW) + 7200 * 1000).toISOString());
    expect(front.events.find((event) => event.requestContext.http.method === 'GET')?.rawPath).toBe(`/websub/${id}`);
  });

  it('refuses to confirm a topic or a mode it never asked for', async () => {
    await setUp();
    const id = await subscribe();
    const other = await fetch(
      `${front.url}websub/${id}?hub.mode=subscribe&hub.topic=https://else.example/&hub.challenge=x`,
    );
    expect(other.status).toBe(404);
    const unsubscribe = await fetch(
      `${front.url}websub/${id}?hub.mode=unsubscribe&hub.topic=${encodeURIComponent(feed.url)}&hub.challenge=x`,
    );
    expect(unsubscribe.status).toBe(404);
    expect(await (await fetch(`${front.url}websub/no-such-id?hub.mode=subscribe&hub.challenge=x`)).text()).not.toBe(
      'x',
    );
  });

  it('hands a signed push to the item queue tagged with its feed, base64 body or text', async () => {
    await setUp();
    await subscribe();
    expect(await hub.publish(feed.url, rss(hub.url, [STATEMENT, BRIEFING]), RSS)).toEqual([202]);
    expect(front.events.at(-1)?.isBase64Encoded).toBe(true);
    expect(
      queued()
        .map((body) => [body.title, body.feedId])
        .sort(),
    ).toEqual(
      [
        [BRIEFING.title, 'wire'],
        [STATEMENT.title, 'wire'],
      ].sort(),
    );
    const third = { guid: 'https://wire.example/third-3', title: 'Third statement on the talks' };
    expect(await hub.publish(feed.url, rss(hub.url, [third]), 'text/xml')).toEqual([202]);
    expect(front.events.at(-1)?.isBase64Encoded).toBe(false);
    expect(queued()).toHaveLength(3);
  });

  it('refuses wrongly signed and unsigned pushes and enqueues nothing', async () => {
    await setUp({ signatures: 'wrong' });
    const id = await subscribe();
    expect(await hub.publish(feed.url, rss(hub.url, [STATEMENT]), RSS)).toEqual([403]);
    hub.options.signatures = 'missing';
    expect(await hub.publish(feed.url, rss(hub.url, [STATEMENT]), RSS)).toEqual([403]);
    expect(sqs.messages).toEqual([]);
    expect((await subscriptions.get(id))?.strikes).toBe(2);
    // Nothing of the refused body was claimed: a later poll finds the item new.
    feeds.route('/wire.xml', { headers: { 'content-type': RSS }, body: rss(hub.url, [STATEMENT]) });
    await poll();
    expect(queued().map((body) => body.title)).toEqual([STATEMENT.title]);
  });

  it('stores an item once when a push comes first and a poll of the same document follows', async () => {
    await setUp();
    await subscribe();
    const document = rss(hub.url, [STATEMENT, BRIEFING]);
    expect(await hub.publish(feed.url, document, RSS)).toEqual([202]);
    // The analyzer takes the pushed items off the queue, as it takes a poll's.
    const analyzer = createAnalyzerHandler({
      store,
      stories: loadStories(),
      clock,
      notifier: { publish: async () => {} },
      metrics: recordingMetrics(),
      log: recordingLog(),
    });
    const analyzed = await analyzer(sqsEvent(sqs.messages.map((message) => message.body)), lambdaContext('analyzer'));
    expect(analyzed).toEqual({ batchItemFailures: [] });
    feeds.route('/wire.xml', { headers: { 'content-type': RSS }, body: document });
    expect(await poll()).toEqual({ batchItemFailures: [] });
    expect(queued()).toHaveLength(2);
    // And a redelivery of the push by the hub is no new work either.
    expect(await hub.publish(feed.url, document, RSS)).toEqual([202]);
    expect(queued()).toHaveLength(2);
  });

  it('tells the hub a feed no longer in the registry is gone', async () => {
    await setUp({}, []);
    await subscribe();
    expect(await hub.publish(feed.url, rss(hub.url, [STATEMENT]), RSS)).toEqual([410]);
    expect(sqs.messages).toEqual([]);
  });

  it('answers 503 when the subscription store fails, so the hub retries', async ({ dynamo }) => {
    await setUp();
    const id = await subscribe();
    const broken = createWebSubCallbackHandler({
      subscriptions: createDynamoSubscriptions(createTableRequests(dynamo.client, 'no-such-table')),
      store,
      itemQueue: createSqsItemQueue(sqs.client, sqs.queueUrl(ITEM_QUEUE)),
      clock,
      feeds: [feed],
      limits: DEFAULT_FETCH_OPTIONS,
      log,
    });
    await front.close();
    front = await startFunctionUrlFront(broken);
    const answer = await fetch(`${front.url}websub/${id}?hub.mode=subscribe&hub.challenge=x`);
    expect(answer.status).toBe(503);
    expect(log.entries.at(-1)?.level).toBe('error');
  });

  it('refuses a push for a subscription it never stored, whatever the signature', async () => {
    await setUp();
    const answer = await fetch(`${front.url}websub/stranger`, { method: 'POST', body: rss(hub.url, [STATEMENT]) });
    expect(answer.status).toBe(404);
    expect(sqs.messages).toEqual([]);
  });
});
