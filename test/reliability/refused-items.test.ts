import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect } from 'vitest';
import { createPollerHandler } from '../../functions/handlers/poller';
import { createDynamoClient } from '../../src/adapters/dynamodb/client';
import { createDynamoStoryStore } from '../../src/adapters/dynamodb/store';
import type { FeedItem } from '../../src/core/feed';
import { type StoryStore, systemClock } from '../../src/core/ports';
import { createHttpFeedFetcher } from '../../src/ingestion/fetcher';
import { type FaultProxy, startFaultProxy } from '../support/fault-proxy';
import { memoryItemQueue, recordingLog, recordingMetrics, sqsEvent } from '../support/handler-rig';
import { type LoopbackFeedServer, startLoopbackFeedServer } from '../support/loopback-feed-server';
import { runCli } from '../support/run-cli';
import { storageTest as it } from '../support/storage';
import { fixtureItems } from '../support/storage-builders';

/** What DynamoDB answers for a row past 400 KB, in a single write or inside a transaction. */
const SIZE_REFUSAL = {
  kind: 'status',
  status: 400,
  code: 'ValidationException',
  message: 'Item size has exceeded the maximum allowed size',
} as const;
const WRITES = ['BatchWriteItem', 'TransactWriteItems', 'PutItem', 'UpdateItem'];

let proxy: FaultProxy;
let tableName: string;
let healthy: StoryStore;
const scratch = mkdtempSync(join(tmpdir(), 'storywatch-refused-'));

it.beforeAll(async ({ dynamo }) => {
  proxy = await startFaultProxy({ target: dynamo.endpoint, service: 'dynamodb' });
});
afterAll(async () => {
  await proxy?.close();
  rmSync(scratch, { recursive: true, force: true });
});
it.beforeEach(({ tableName: fresh, store }) => {
  proxy.clear();
  tableName = fresh;
  healthy = store;
});

/** Refuses, as too large, every write that carries `marker` (an item id or guid). */
const refuseWritesOf = (marker: string) =>
  proxy.inject({ operations: WRITES, where: (request) => request.body.includes(marker), fault: SIZE_REFUSAL });

function distinctItems(count: number): FeedItem[] {
  const base = fixtureItems()[0] as FeedItem;
  return Array.from({ length: count }, (_, index) => ({
    ...base,
    id: `${base.id}#refused-${index}`,
    link: `${base.link}/refused-${index}`,
    title: `${base.title} (${index})`,
  }));
}

describe('a batched claim with one item the store refuses', () => {
  it('claims the others and reports only that item refused, storing nothing of it', async () => {
    const items = distinctItems(6);
    const bad = items[2] as FeedItem;
    refuseWritesOf(bad.id);
    const client = createDynamoClient({ endpoint: proxy.endpoint, region: 'us-east-1', maxAttempts: 1 });
    try {
      const store = createDynamoStoryStore({ client, tableName });
      const entries = items.map((item) => ({ item, dedupKeys: [`link:${item.link}`] }));

      const results = await store.claimItems(entries);

      expect(results.map((result) => result.status)).toEqual(['new', 'new', 'refused', 'new', 'new', 'new']);
      expect(results[2]).toMatchObject({ reason: expect.stringMatching(/maximum allowed size/) });
      // Read back without the proxy: the five are stored and unfinished, the refused one left no row or marker.
      const reread = await healthy.claimItems(entries);
      expect(reread.map((result) => result.status)).toEqual([
        'unfinished',
        'unfinished',
        'new',
        'unfinished',
        'unfinished',
        'unfinished',
      ]);
    } finally {
      client.destroy();
    }
  });
});

/** An RSS document of these items, as a feed serves it. */
function rss(title: string, items: { guid: string; title: string; published: Date }[]): string {
  const entries = items.map(
    (item) =>
      `<item><guid isPermaLink="false">${item.guid}</guid><title>${item.title}</title>` +
      `<link>https://news.example.org/${encodeURIComponent(item.guid)}</link>` +
      `<pubDate>${item.published.toUTCString()}</pubDate><description>${item.title}.</description></item>`,
  );
  return `<?xml version="1.0"?><rss version="2.0"><channel><title>${title}</title><link>https://news.example.org/</link>${entries.join('')}</channel></rss>`;
}

describe('storywatch run --once with one broken feed and one good one', () => {
  let server: LoopbackFeedServer | null = null;
  afterEach(async () => {
    await server?.close();
    server = null;
  });

  it('stores and saves what it can, names the item it could not store, and exits 2', async () => {
    const hourAgo = new Date(Date.now() - 3_600_000);
    const headers = { 'content-type': 'application/rss+xml' };
    const goodItems = [1, 2].map((n) => ({
      guid: `good-${n}`,
      title: `Ceasefire talks, day ${n}`,
      published: hourAgo,
    }));
    const brokenItems = [1, 2].map((n) => ({ guid: `broken-${n}`, title: `Truce news ${n}`, published: hourAgo }));
    server = await startLoopbackFeedServer({
      '/good.xml': { headers, body: rss('Good', goodItems) },
      '/broken.xml': { headers, body: rss('Broken', brokenItems) },
    });
    const registry = join(scratch, 'registry.json');
    const feed = (id: string) => ({
      id,
      url: server?.url(`/${id}.xml`),
      name: id,
      publisher: 'Test outlet',
      language: 'en',
      note: 'Served on loopback by this test.',
    });
    writeFileSync(registry, JSON.stringify([feed('good'), feed('broken')]));
    refuseWritesOf('broken-2');

    const result = await runCli([
      'run',
      '--once',
      '--feeds',
      registry,
      '--allow-private-network',
      '--endpoint',
      proxy.endpoint,
      '--table',
      tableName,
      '--region',
      'us-east-1',
      '--alerts-file',
      join(scratch, 'alerts.jsonl'),
    ]);

    expect(result.stderr).not.toMatch(/Database is closed/);
    expect(result.code, result.stdout + result.stderr).toBe(2);
    expect(result.stdout).toMatch(
      /cycle 1: feeds 2 polled \/ 0 unchanged \/ 0 failed · 3 new items .* · 1 item failed: /,
    );
    expect(result.stdout).toMatch(/✗ item \S+\/broken-2 of broken not stored \(left behind\): .*maximum allowed size/);
    // Both feeds' states are saved, so the next cycle asks with their validators instead of failing again.
    const states = await healthy.getFeedStates(['good', 'broken']);
    expect(states.map((state) => state.feedId).sort()).toEqual(['broken', 'good']);
    // The guid is the id, named by the host that served it. The three stored are analyzed; the refused one is absent.
    const host = new URL(server.origin).host;
    const claims = await healthy.claimItems(
      ['good-1', 'good-2', 'broken-1', 'broken-2'].map((guid) => ({ item: itemOf(`${host}/${guid}`), dedupKeys: [] })),
    );
    expect(claims.map((claim) => claim.status)).toEqual(['duplicate', 'duplicate', 'duplicate', 'new']);
  }, 60_000);
});

describe('the poller Lambda with an item the store refuses', () => {
  let server: LoopbackFeedServer | null = null;
  afterEach(async () => {
    await server?.close();
    server = null;
  });

  it('hands the others on, saves the feed state, and logs and counts the refused item', async () => {
    const hourAgo = new Date(Date.now() - 3_600_000);
    const items = [1, 2, 3].map((n) => ({ guid: `wire-${n}`, title: `Truce news ${n}`, published: hourAgo }));
    server = await startLoopbackFeedServer({
      '/wire.xml': { headers: { 'content-type': 'application/rss+xml' }, body: rss('Wire', items) },
    });
    refuseWritesOf('wire-2');
    const client = createDynamoClient({ endpoint: proxy.endpoint, region: 'us-east-1', maxAttempts: 1 });
    const queue = memoryItemQueue();
    const metrics = recordingMetrics();
    const log = recordingLog();
    try {
      const poller = createPollerHandler({
        store: createDynamoStoryStore({ client, tableName }),
        clock: systemClock,
        fetcher: createHttpFeedFetcher({ allowPrivateNetwork: true, timeoutMs: 5_000 }),
        itemQueue: queue,
        metrics,
        log,
      });
      const feed = { id: 'wire', url: server.url('/wire.xml'), name: 'Wire', publisher: 'Test', language: 'en' };

      const response = await poller(sqsEvent([JSON.stringify(feed)]));

      // The poll message succeeds: redelivering it would only be refused again, and hold the other items back.
      expect(response.batchItemFailures).toEqual([]);
      expect(queue.items().map((item) => item.id.split('/').at(-1))).toEqual(['wire-1', 'wire-3']);
      expect(metrics.totals.ItemsFailed).toBe(1);
      const logged = log.entries.filter((entry) => entry.level === 'error');
      expect(logged).toEqual([
        expect.objectContaining({
          message: 'item could not be stored; the rest of the feed goes on',
          attributes: expect.objectContaining({ feedId: 'wire', itemId: expect.stringMatching(/\/wire-2$/) }),
        }),
      ]);
      expect((await healthy.getFeedState('wire'))?.feedId).toBe('wire');
    } finally {
      client.destroy();
    }
  });
});

function itemOf(id: string): FeedItem {
  return { ...(fixtureItems()[0] as FeedItem), id };
}

describe('storywatch replay with an item the store refuses', () => {
  it('counts it in the summary line, replays the rest and exits 1', async () => {
    const day = (n: number) => new Date(Date.UTC(2025, 2, n, 12)).toISOString();
    const lines = [1, 2, 3].map((n) => ({
      id: `archived-${n}`,
      source: 'https://archive.example.org/rss',
      link: `https://archive.example.org/story-${n}`,
      published: day(n),
      title: `Ceasefire talks resume, day ${n}`,
      description: 'Negotiators met again.',
    }));
    const archive = join(scratch, 'archive.jsonl');
    writeFileSync(archive, `${lines.map((line) => JSON.stringify(line)).join('\n')}\n`);
    refuseWritesOf('archived-2');

    const result = await runCli([
      'replay',
      archive,
      '--endpoint',
      proxy.endpoint,
      '--table',
      tableName,
      '--region',
      'us-east-1',
      '--alerts-file',
      join(scratch, 'replay-alerts.jsonl'),
    ]);

    expect(result.code, result.stdout + result.stderr).toBe(1);
    expect(result.stdout).toMatch(/3 items, 0 duplicates, .* condition changes, 1 item failed: .*maximum allowed size/);
    expect(result.stdout).toMatch(/✗ item archived-2 not stored: /);
    const claims = await healthy.claimItems(
      ['archived-1', 'archived-2', 'archived-3'].map((id) => ({ item: itemOf(id), dedupKeys: [] })),
    );
    expect(claims.map((claim) => claim.status)).toEqual(['duplicate', 'new', 'duplicate']);
  }, 60_000);
});
