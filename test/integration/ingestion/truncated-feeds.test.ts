import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FeedDefinition, FeedState } from '../../../src/core/feed';
import { createHttpFeedFetcher } from '../../../src/ingestion/index';
import { type LoopbackFeedServer, startLoopbackFeedServer } from '../../support/loopback-feed-server';
import { runCli } from '../../support/run-cli';

const RSS = { 'content-type': 'application/rss+xml; charset=utf-8' };
const NOW = new Date('2025-03-12T12:00:00.000Z');
const LATER = new Date('2025-03-12T13:00:00.000Z');

function item(index: number): string {
  return `<item><title>Round ${index} of the talks</title><guid>t-${index}</guid><description>Day ${index}.</description></item>`;
}

function feedOf(items: string): string {
  return `<?xml version="1.0"?><rss version="2.0"><channel><title>Talks</title>${items}</channel></rss>`;
}

const SIX_ITEMS = feedOf([1, 2, 3, 4, 5, 6].map(item).join(''));
/** The same document cut inside its third item: the root never closes. */
const CUT_IN_THIRD = SIX_ITEMS.slice(0, SIX_ITEMS.indexOf('<guid>t-3'));
/** Cut inside the second item, with the channel's end appended after the cut. */
const CUT_THEN_CLOSED = `${SIX_ITEMS.slice(0, SIX_ITEMS.indexOf('<guid>t-2'))}</channel></rss>`;

const fetcher = createHttpFeedFetcher({
  allowPrivateNetwork: true,
  minPollIntervalSec: 60,
  maxPollIntervalSec: 7200,
  defaultPollIntervalSec: 600,
  maxBackoffSec: 86_400,
  parkAfterFailures: 5,
});

describe('a truncated feed document is a failed poll, never a short success', () => {
  let server: LoopbackFeedServer;
  let body = SIX_ITEMS;
  let etag = '"full"';
  const definition = (): FeedDefinition => ({
    id: 'talks',
    url: server.url('/talks'),
    name: 'Talks',
    publisher: 'Loopback',
    language: 'en',
  });

  beforeAll(async () => {
    server = await startLoopbackFeedServer({
      '/talks': () => ({ headers: { ...RSS, etag, 'last-modified': 'Wed, 12 Mar 2025 10:00:00 GMT' }, body }),
      '/cut-in-item': { headers: RSS, body: CUT_IN_THIRD },
    });
  });

  afterAll(async () => {
    await server.close();
  });

  async function fullPoll(): Promise<FeedState> {
    body = SIX_ITEMS;
    etag = '"full"';
    const full = await fetcher.fetchFeed(definition(), null, NOW);
    if (full.kind !== 'changed') throw new Error(`the full document failed: ${JSON.stringify(full)}`);
    expect(full.items).toHaveLength(6);
    return full.nextState;
  }

  it('fails a document whose root never closes and keeps the validators and digests of the last full poll', async () => {
    const state = await fullPoll();
    body = CUT_IN_THIRD;
    etag = '"cut"';
    const outcome = await fetcher.fetchFeed(definition(), state, LATER);
    expect(outcome).toMatchObject({ kind: 'failed', error: { kind: 'truncated' } });
    expect(outcome.nextState).toMatchObject({
      etag: '"full"',
      seenEntryDigests: state.seenEntryDigests,
      consecutiveFailures: 1,
      lastError: { kind: 'truncated' },
    });
    // Retried with backoff (the minimum interval after one failure), not at the feed's usual pace.
    expect(Date.parse(outcome.nextState.nextPollAt) - LATER.getTime()).toBe(60_000);
  });

  it('fails a closed document whose last item was cut and which kept under half the items of the last full poll', async () => {
    const state = await fullPoll();
    body = CUT_THEN_CLOSED;
    etag = '"cut"';
    const outcome = await fetcher.fetchFeed(definition(), state, LATER);
    expect(outcome).toMatchObject({
      kind: 'failed',
      error: { kind: 'truncated', message: expect.stringMatching(/2 entries remain of the 6/) },
    });
    expect(outcome.nextState.etag).toBe('"full"');
    expect(outcome.nextState.seenEntryDigests).toEqual(state.seenEntryDigests);
  });

  it('reads a closed document with a cut last item when it kept at least half the items', async () => {
    const state = await fullPoll();
    body = `${SIX_ITEMS.slice(0, SIX_ITEMS.indexOf('<guid>t-4'))}</channel></rss>`;
    etag = '"shorter"';
    const outcome = await fetcher.fetchFeed(definition(), state, LATER);
    expect(outcome.kind).toBe('changed');
    expect(outcome.nextState.etag).toBe('"shorter"');
  });

  it('reads a feed that shrank to a few complete items', async () => {
    const state = await fullPoll();
    body = feedOf(item(7));
    etag = '"short"';
    const outcome = await fetcher.fetchFeed(definition(), state, LATER);
    expect(outcome.kind === 'changed' && outcome.items.map((entry) => entry.title)).toEqual(['Round 7 of the talks']);
  });

  it('storywatch fetch reports a truncated document as an error with the items it could read', async () => {
    const result = await runCli(['fetch', server.url('/cut-in-item'), '--allow-private-network']);
    expect(result.code).toBe(1);
    const printed = JSON.parse(result.stdout);
    expect(printed.error).toEqual({ kind: 'truncated', message: expect.stringMatching(/root element/) });
    expect(printed.items.map((entry: { title: string }) => entry.title)).toEqual([
      'Round 1 of the talks',
      'Round 2 of the talks',
    ]);
    expect(printed.skippedItems).toBe(1);
  });

  it('fails the fixture cut inside an item and closed after the cut once the feed had more items', async () => {
    const state = await fullPoll();
    body = readFileSync(new URL('../../fixtures/feeds/cut-then-closed.xml', import.meta.url), 'utf8');
    const outcome = await fetcher.fetchFeed(definition(), state, LATER);
    expect(outcome).toMatchObject({ kind: 'failed', error: { kind: 'truncated' } });
  });
});
