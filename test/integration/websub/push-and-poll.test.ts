import { afterEach, describe, expect } from 'vitest';
import type { FeedDefinition, FeedItem } from '../../../src/core/feed';
import type { StoryStore } from '../../../src/core/ports';
import { loadStories } from '../../../src/detection/index';
import { createHttpFeedFetcher } from '../../../src/ingestion/fetcher';
import { runCycle } from '../../../src/pipeline/run-cycle';
import {
  createCallbackHandler,
  createMemorySubscriptionStore,
  type SubscriptionStore,
} from '../../../src/websub/callback';
import { type CallbackServer, startCallbackServer } from '../../../src/websub/callback-server';
import { handlePushedDocument } from '../../../src/websub/ingest';
import { createHttpHubClient, createWebSubSubscriber, fetchHubDiscovery } from '../../../src/websub/subscriber';
import { DEFAULT_WEBSUB_CONFIG } from '../../../src/websub/subscription';
import { type LoopbackFeedServer, startLoopbackFeedServer } from '../../support/loopback-feed-server';
import { storageTest as it } from '../../support/storage';
import { type LoopbackHub, type LoopbackHubOptions, startLoopbackHub } from '../../support/websub-hub';

const RSS = 'application/rss+xml; charset=utf-8';
const MAX_BYTES = 64 * 1024;
const WEBSUB = { ...DEFAULT_WEBSUB_CONFIG, leaseSeconds: 3600, renewBeforeSec: 600, verifyTimeoutSec: 120 };
let current = new Date('2026-06-01T09:00:00Z');
const clock = { now: () => current };

function rss(hub: string | null, entries: { guid: string; title: string }[]) {
  const hubLink = hub ? `<atom:link rel="hub" href="${hub}"/>` : '';
  const items = entries
    .map(
      (entry) =>
        `<item><guid>${entry.guid}</guid><title>${entry.title}</title><description>${entry.title}.</description></item>`,
    )
    .join('');
  return `<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel><title>Wire</title><language>en</language>${hubLink}${items}</channel></rss>`;
}

const STATEMENT = {
  guid: 'https://wire.example/statement-1',
  title: 'Foreign ministry issues statement on ceasefire talks',
};
const BRIEFING = { guid: 'https://wire.example/briefing-2', title: 'Evening briefing on the harbour negotiations' };

let store: StoryStore;
let feeds: LoopbackFeedServer;
let hub: LoopbackHub;
let callback: CallbackServer;
let subscriptions: SubscriptionStore;
let pushed: FeedItem[];
let feed: FeedDefinition;
const stories = loadStories();
const notifier = { publish: async () => {} };

it.beforeEach(({ store: fresh }) => {
  store = fresh;
});

async function setUp(hubOptions: LoopbackHubOptions = {}) {
  current = new Date('2026-06-01T09:00:00Z');
  hub = await startLoopbackHub(hubOptions);
  feeds = await startLoopbackFeedServer({});
  feeds.route('/wire.xml', { headers: { 'content-type': RSS }, body: rss(hub.url, [BRIEFING]) });
  feed = { id: 'wire', url: feeds.url('/wire.xml'), name: 'Wire', publisher: 'Wire', language: 'en' };
  subscriptions = createMemorySubscriptionStore(WEBSUB);
  pushed = [];
  const handle = createCallbackHandler({
    subscriptions,
    clock,
    maxBytes: MAX_BYTES,
    onContent: async (_subscription, body, contentType) => {
      const report = await handlePushedDocument({ store, clock, stories, notifier }, feed, body, contentType);
      pushed.push(...report.toAnalyze);
      return 'stored';
    },
  });
  callback = await startCallbackServer({ handle, maxBytes: MAX_BYTES });
  const subscriber = createWebSubSubscriber({
    subscriptions,
    hubClient: createHttpHubClient({ allowPrivateNetwork: true }),
    clock,
    callbackBase: callback.callbackBase,
    config: WEBSUB,
  });
  return subscriber;
}

async function subscribed(hubOptions: LoopbackHubOptions = {}) {
  const subscriber = await setUp(hubOptions);
  const discovery = await fetchHubDiscovery(feed.url, { allowPrivateNetwork: true });
  expect(discovery.hubs).toEqual([hub.url]);
  await subscriber.subscribe(feed, discovery);
  await hub.verified(feed.url);
  await waitFor(() => subscriber.isPushActive(feed.id));
  return subscriber;
}

async function waitFor(condition: () => Promise<boolean>) {
  for (let attempt = 0; attempt < 200 && !(await condition()); attempt += 1) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function poll() {
  const fetcher = createHttpFeedFetcher({ allowPrivateNetwork: true });
  // The whole local cycle (fetch, claim, analyze, mark), as `storywatch run` polls.
  const cycle = await runCycle({ store, fetcher, clock, stories, notifier }, [feed], {
    concurrency: 1,
    onlyDue: false,
  });
  return cycle.feeds[0];
}

afterEach(async () => {
  await callback?.close();
  await hub?.close();
  await feeds?.close();
});

describe('WebSub push through the ingestion path', () => {
  it('subscribes to the hub the feed names, verifies intent and stores a signed push', async () => {
    await subscribed();
    expect(hub.requests[0]?.get('hub.secret')).toMatch(/^[0-9a-f]{64}$/);
    expect(await hub.publish(feed.url, rss(hub.url, [STATEMENT, BRIEFING]), RSS)).toEqual([202]);
    expect(pushed.map((item) => item.title).sort()).toEqual([BRIEFING.title, STATEMENT.title].sort());
  });

  it('stores an item once when a push comes first and a poll of the same document follows', async () => {
    await subscribed();
    const document = rss(hub.url, [STATEMENT, BRIEFING]);
    await hub.publish(feed.url, document, RSS);
    feeds.route('/wire.xml', { headers: { 'content-type': RSS }, body: document });
    const report = await poll();
    expect(report?.newItems).toEqual([]);
    expect(report?.duplicateItems).toBe(2);
  });

  it('stores an item once when a poll came first and the push of it follows', async () => {
    await subscribed();
    const document = rss(hub.url, [STATEMENT, BRIEFING]);
    feeds.route('/wire.xml', { headers: { 'content-type': RSS }, body: document });
    expect((await poll())?.newItems).toHaveLength(2);
    expect(await hub.publish(feed.url, document, RSS)).toEqual([202]);
    expect(pushed).toEqual([]);
  });

  it('refuses wrongly signed and unsigned deliveries, stores nothing, and falls back to polling', async () => {
    const subscriber = await subscribed({ signatures: 'wrong' });
    expect(await hub.publish(feed.url, rss(hub.url, [STATEMENT]), RSS)).toEqual([403]);
    hub.options.signatures = 'missing';
    expect(await hub.publish(feed.url, rss(hub.url, [STATEMENT]), RSS)).toEqual([403]);
    expect(pushed).toEqual([]);
    expect(await subscriber.isPushActive(feed.id)).toBe(true);
    await hub.publish(feed.url, rss(hub.url, [STATEMENT]), RSS);
    expect(await subscriber.isPushActive(feed.id)).toBe(false);
    expect((await subscriptions.list())[0]?.note).toContain('signature missing');
  });

  it('refuses an oversized or unreadable push before storing anything', async () => {
    await subscribed();
    expect(await hub.publish(feed.url, `<rss>${'x'.repeat(MAX_BYTES)}</rss>`, RSS)).toEqual([413]);
    expect(await hub.publish(feed.url, '{"not": "a feed"}', 'application/json')).toEqual([400]);
    expect(pushed).toEqual([]);
  });

  it('renews the lease before it ends and polls again once a lease lapses unrenewed', async () => {
    const subscriber = await subscribed({ leaseSeconds: 3600 });
    current = new Date(current.getTime() + 3000 * 1000);
    expect(await subscriber.maintain()).toMatchObject({ renewed: ['wire'], failed: [], resumed: [] });
    await waitFor(async () => hub.requests.length === 2 && hub.subscriptions(feed.url)[0]?.verifiedAt !== undefined);
    await waitFor(async () => (await subscriptions.list())[0]?.renewalSentAt === null);
    const renewed = (await subscriptions.list())[0];
    expect(Date.parse(renewed?.leaseExpiresAt ?? '')).toBe(current.getTime() + 3600 * 1000);
    hub.options.verification = 'silent';
    current = new Date(current.getTime() + 3601 * 1000);
    expect(await subscriber.isPushActive(feed.id)).toBe(false);
  });

  it('falls back to polling when the hub denies or never verifies', async () => {
    const denying = await setUp({ verification: 'deny' });
    await denying.subscribe(feed, { hubs: [hub.url], self: null });
    await waitFor(async () => (await subscriptions.list())[0]?.status === 'denied');
    expect((await subscriptions.list())[0]?.note).toContain('only serves its own publishers');
    expect(await denying.isPushActive(feed.id)).toBe(false);
    await callback.close();
    await hub.close();
    await feeds.close();

    const silent = await setUp({ verification: 'silent' });
    await silent.subscribe(feed, { hubs: [hub.url], self: null });
    current = new Date(current.getTime() + 121 * 1000);
    expect(await silent.maintain()).toMatchObject({ renewed: [], failed: ['wire'], resumed: ['wire'] });
    expect(await silent.isPushActive(feed.id)).toBe(false);
  });

  it('marks the subscription failed when the hub refuses the request or cannot be reached', async () => {
    const subscriber = await setUp();
    const refused = await subscriber.subscribe(feed, { hubs: [feeds.url('/no-such-hub')], self: null });
    expect(refused?.status).toBe('failed');
    expect(refused?.note).toContain('HTTP 404');
    const closed = await subscriber.subscribe(feed, { hubs: ['http://127.0.0.1:9/'], self: null });
    expect(closed?.note).toContain('unreachable');
  });
});
