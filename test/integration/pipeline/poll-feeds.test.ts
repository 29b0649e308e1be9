import { afterAll, beforeAll, describe, expect } from 'vitest';
import type { FeedDefinition, FeedItem, FeedState } from '../../../src/core/feed';
import type { StoryStore } from '../../../src/core/ports';
import { createHttpFeedFetcher } from '../../../src/ingestion/fetcher';
import { itemDedupKeys } from '../../../src/ingestion/index';
import { type PollDeps, pollFeeds } from '../../../src/pipeline/poll-feeds';
import { type LoopbackFeedServer, startLoopbackFeedServer } from '../../support/loopback-feed-server';
import { storageTest } from '../../support/storage';
import { watchedStore } from '../../support/watched-store';

const RSS = { 'content-type': 'application/rss+xml; charset=utf-8' };
const clock = { now: () => new Date('2025-03-16T00:00:00.000Z') };
const it = storageTest.extend({ clock });
const SYNDICATED_LINK = 'https://wire.example.org/world/ceasefire-monitoring-agreed';

interface Entry {
  guid: string;
  title: string;
  link: string;
}

const document = (title: string, entries: Entry[]) =>
  `<rss version="2.0"><channel><title>${title}</title><language>en</language>${entries
    .map(
      (entry) =>
        `<item><guid>${entry.guid}</guid><title>${entry.title}</title><link>${entry.link}</link><description>${entry.title}.</description></item>`,
    )
    .join('')}</channel></rss>`;

/** Every feed carries two stories of its own; `second` and `third` also carry one wire story under their own guids. */
const FEEDS: Record<string, Entry[]> = {
  first: [
    {
      guid: 'https://first.example/a',
      title: 'First desk reports grain corridor reopening',
      link: 'https://first.example/a',
    },
    { guid: 'https://first.example/b', title: 'First desk covers the harbour strike', link: 'https://first.example/b' },
  ],
  second: [
    {
      guid: 'https://second.example/wire-copy',
      title: 'Monitoring mechanism agreed, wire says',
      link: SYNDICATED_LINK,
    },
    {
      guid: 'https://second.example/a',
      title: 'Second desk on the energy summit agenda',
      link: 'https://second.example/a',
    },
  ],
  third: [
    { guid: 'https://third.example/a', title: 'Third desk profiles the new envoy', link: 'https://third.example/a' },
    { guid: 'https://third.example/wire-copy', title: 'Ceasefire monitors to deploy next week', link: SYNDICATED_LINK },
  ],
};

let server: LoopbackFeedServer;
let store: StoryStore;

beforeAll(async () => {
  server = await startLoopbackFeedServer(
    Object.fromEntries(
      Object.entries(FEEDS).map(([id, entries]) => [
        `/${id}.xml`,
        (request) =>
          request.headers['if-none-match'] === `"${id}-v1"`
            ? { status: 304, headers: { etag: `"${id}-v1"` } }
            : { headers: { ...RSS, etag: `"${id}-v1"` }, body: document(id, entries) },
      ]),
    ),
  );
});
afterAll(async () => {
  await server?.close();
});
it.beforeEach(({ store: fresh }) => {
  store = fresh;
});

const feeds = (): FeedDefinition[] =>
  Object.keys(FEEDS).map((id) => ({
    id,
    url: server.url(`/${id}.xml`),
    name: `Desk ${id}`,
    publisher: 'storywatch pipeline tests',
    language: 'en',
  }));

/** The store with every call noted; with `failFirst`, the first call of that method fails as an outage would. */
const watched = (target: StoryStore, failFirst?: keyof StoryStore) =>
  watchedStore(
    target,
    failFirst ? { method: failFirst, message: `${failFirst} unreachable`, onlyFirstCall: true } : undefined,
  );

const deps = (target: StoryStore): PollDeps => ({
  store: target,
  fetcher: createHttpFeedFetcher({ allowPrivateNetwork: true, timeoutMs: 5_000 }),
  clock,
});

const claimedIds = (call: { args: unknown[] }) => (call.args[0] as { item: FeedItem }[]).map(({ item }) => item.id);

describe('pollFeeds', () => {
  it('reports only the feeds of a failed claim as failed internally, claims the later feeds, and claims a syndicated story once', async () => {
    const watch = watched(store, 'claimItems');
    const results = await pollFeeds(deps(watch.store), feeds(), { concurrency: 1 });
    const [first, second, third] = results;

    // With one fetch at a time the first feed's claim starts alone, so the outage costs that feed only.
    const claims = watch.called('claimItems');
    expect(claims.length).toBeGreaterThanOrEqual(2);
    expect(claimedIds(claims[0] ?? { args: [[]] }).sort()).toEqual(FEEDS.first?.map((entry) => entry.guid).sort());
    expect(first?.nextState).toBeNull();
    expect(first?.report).toMatchObject({
      feedId: 'first',
      outcome: 'failed',
      newItems: [],
      error: { kind: 'internal', message: 'claimItems unreachable' },
    });

    expect(second?.report.outcome).toBe('changed');
    expect(third?.report.outcome).toBe('changed');
    expect(second?.nextState).toMatchObject({ feedId: 'second', etag: '"second-v1"' });
    expect(third?.nextState).toMatchObject({ feedId: 'third', etag: '"third-v1"' });
    expect(second?.report.error).toBeNull();
    expect(third?.report.error).toBeNull();

    // The wire story reaches analysis through the feed fetched first; the other copy counts as a duplicate.
    expect(second?.report.newItems.map((item) => item.id)).toEqual([
      'https://second.example/wire-copy',
      'https://second.example/a',
    ]);
    expect(second?.report.duplicateItems).toBe(0);
    expect(third?.report.newItems.map((item) => item.id)).toEqual(['https://third.example/a']);
    expect(third?.report.duplicateItems).toBe(1);
    const toAnalyze = results.flatMap((result) => result?.report.newItems ?? []);
    expect(toAnalyze.filter((item) => item.link === SYNDICATED_LINK)).toHaveLength(1);

    // The claims that went through stored the later feeds' items; the failed feed's items come back as new.
    const recheck = await store.claimItems(
      [...(FEEDS.first ?? []), ...(FEEDS.second ?? [])].map((entry) => {
        const item = second?.report.newItems.find((candidate) => candidate.id === entry.guid) ?? {
          id: entry.guid,
          title: entry.title,
          description: `${entry.title}.`,
          link: entry.link,
          published: null,
          source: server.url('/first.xml'),
          language: 'en',
        };
        return { item, dedupKeys: itemDedupKeys(item) };
      }),
    );
    expect(recheck.map((result) => result.status)).toEqual(['new', 'new', 'unfinished', 'unfinished']);
  });

  // Under Node's default (--unhandled-rejections=throw) an unhandled rejection would end the process (the poller
  // Lambda, the local CLI) instead of reporting one feed as failed.
  it('leaves no unhandled rejection behind when a claim fails while later feeds are still fetching', async () => {
    const unhandled: unknown[] = [];
    const note = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', note);
    try {
      const results = await pollFeeds(deps(watched(store, 'claimItems').store), feeds(), { concurrency: 1 });
      await new Promise((resolve) => setImmediate(resolve));
      expect(results[0]?.report.error).toMatchObject({ kind: 'internal' });
    } finally {
      process.off('unhandledRejection', note);
    }
    expect(unhandled).toEqual([]);
  });

  it('claims the items of every feed exactly once when the store works', async () => {
    const watch = watched(store);
    const results = await pollFeeds(deps(watch.store), feeds(), { concurrency: 1 });
    expect(results.map((result) => result.report.outcome)).toEqual(['changed', 'changed', 'changed']);
    expect(results.map((result) => result.report.newItems.length)).toEqual([2, 2, 1]);
    const claimed = watch.called('claimItems').flatMap(claimedIds);
    expect(new Set(claimed).size).toBe(claimed.length);
    expect(claimed).toHaveLength(6);
  });

  it('fetches the feeds of one host over one connection and closes it when the batch is done', async () => {
    await server.waitForNoConnections();
    const before = server.connectionsAccepted();
    const results = await pollFeeds(deps(store), feeds(), { concurrency: 1 });
    expect(results.map((result) => result.report.outcome)).toEqual(['changed', 'changed', 'changed']);
    expect(server.connectionsAccepted() - before).toBe(1);
    // Kept open, the connection would outlive the batch by the server's keep-alive time (5 s for Node's).
    await server.waitForNoConnections(1_000);
  });

  it('uses the given feed states instead of reading them from the store, and treats a missing one as none stored', async () => {
    const watch = watched(store);
    const list = feeds();
    // Only the second feed has a stored state; its etag makes the server answer 304.
    const knownState: FeedState = {
      feedId: 'second',
      url: server.url('/second.xml'),
      etag: '"second-v1"',
      lastModified: null,
      nextPollAt: '2025-03-15T23:00:00.000Z',
      consecutiveFailures: 0,
      status: 'active',
      lastError: null,
      lastPolledAt: '2025-03-15T22:45:00.000Z',
      lastSuccessAt: '2025-03-15T22:45:00.000Z',
    };
    await store.putFeedStates([{ ...knownState, etag: '"stale-in-store"' }]);
    const results = await pollFeeds(deps(watch.store), list, {
      concurrency: 2,
      states: new Map([['second', knownState]]),
    });
    expect(watch.called('getFeedState')).toEqual([]);
    expect(watch.called('listFeedStates')).toEqual([]);
    expect(watch.called('getFeedStates')).toEqual([]);
    expect(results.map((result) => result.report.outcome)).toEqual(['changed', 'not_modified', 'changed']);
    expect(results[1]?.report.newItems).toEqual([]);
  });

  it('reads each feed state from the store when no states are given', async () => {
    const watch = watched(store);
    const results = await pollFeeds(deps(watch.store), feeds(), { concurrency: 2 });
    expect(
      watch
        .called('getFeedState')
        .map((call) => call.args[0])
        .sort(),
    ).toEqual(['first', 'second', 'third']);
    expect(results.every((result) => result.report.outcome === 'changed')).toBe(true);
  });
});
