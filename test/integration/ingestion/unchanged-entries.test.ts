import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FeedDefinition, FetchOutcome } from '../../../src/core/feed';
import { createHttpFeedFetcher } from '../../../src/ingestion/fetcher';
import { type LoopbackFeedServer, startLoopbackFeedServer } from '../../support/loopback-feed-server';

const RSS = { 'content-type': 'application/rss+xml; charset=utf-8' };
const NOW = new Date('2025-03-12T12:00:00.000Z');
const later = (minutes: number) => new Date(NOW.getTime() + minutes * 60_000);

const fetcher = createHttpFeedFetcher({ allowPrivateNetwork: true, timeoutMs: 5_000 });

interface Entry {
  guid: string;
  title: string;
  description: string;
}

const entry = (n: number, description = `What happened in story ${n}`): Entry => ({
  guid: `story-${n}`,
  title: `Story ${n}`,
  description,
});

const document = (entries: Entry[]) =>
  `<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Loopback desk</title><language>en</language>${entries
    .map(
      ({ guid, title, description }) =>
        `\n<item><guid isPermaLink="false">${guid}</guid><title>${title}</title><description>${description}</description><link>https://desk.example/${guid}</link></item>`,
    )
    .join('')}\n</channel></rss>`;

function changed(outcome: FetchOutcome) {
  if (outcome.kind !== 'changed') throw new Error(`expected a changed poll, got ${JSON.stringify(outcome)}`);
  return outcome;
}

describe('polling a feed that mostly repeats its previous document', () => {
  let server: LoopbackFeedServer;
  let body = document([entry(3), entry(2), entry(1)]);
  const feed = (): FeedDefinition => ({
    id: 'desk',
    url: server.url('/desk.xml'),
    name: 'Desk',
    publisher: 'Loopback',
    language: 'en',
  });

  beforeAll(async () => {
    // No validators: every poll gets the whole document, as from a server that ignores conditional requests.
    server = await startLoopbackFeedServer({ '/desk.xml': () => ({ headers: RSS, body }) });
  });
  afterAll(async () => {
    await server.close();
  });

  it('returns only the new entry on top, then only the edited entry, and counts the rest as unchanged', async () => {
    const first = changed(await fetcher.fetchFeed(feed(), null, NOW));
    expect(first.items.map((item) => item.title)).toEqual(['Story 3', 'Story 2', 'Story 1']);
    expect(first.unchangedItems).toBe(0);
    expect(first.nextState.seenEntryDigests).toHaveLength(3);

    body = document([entry(4), entry(3), entry(2), entry(1)]);
    const second = changed(await fetcher.fetchFeed(feed(), first.nextState, later(15)));
    // A bare guid is scoped to the feed's host.
    expect(second.items.map((item) => item.id)).toEqual([`${new URL(server.origin).host}/story-4`]);
    expect(second.items[0]).toMatchObject({ title: 'Story 4', link: 'https://desk.example/story-4' });
    expect(second.unchangedItems).toBe(3);
    expect(second.nextState.seenEntryDigests).toHaveLength(4);
    expect(second.nextState.seenEntryDigests?.slice(1)).toEqual(first.nextState.seenEntryDigests);

    body = document([entry(4), entry(3), entry(2, 'Corrected: the meeting is on Friday'), entry(1)]);
    const third = changed(await fetcher.fetchFeed(feed(), second.nextState, later(30)));
    expect(third.items).toEqual([
      expect.objectContaining({ title: 'Story 2', description: 'Corrected: the meeting is on Friday' }),
    ]);
    expect(third.unchangedItems).toBe(3);
    expect(third.nextState.seenEntryDigests).toHaveLength(4);
    expect(third.nextState.seenEntryDigests?.[2]).not.toBe(second.nextState.seenEntryDigests?.[2]);
    expect(server.hits('/desk.xml')).toBe(3);
  });

  it('parses every entry again when the feed state carries no digests', async () => {
    body = document([entry(2), entry(1)]);
    const first = changed(await fetcher.fetchFeed(feed(), null, NOW));
    const { seenEntryDigests: _dropped, ...withoutDigests } = first.nextState;
    const again = changed(await fetcher.fetchFeed(feed(), withoutDigests, later(15)));
    expect(again.items.map((item) => item.title)).toEqual(['Story 2', 'Story 1']);
    expect(again.unchangedItems).toBe(0);
  });

  it('keeps the digests of the last document when the next poll fails, so the recovery poll still skips', async () => {
    body = document([entry(2), entry(1)]);
    const first = changed(await fetcher.fetchFeed(feed(), null, NOW));
    server.route('/desk.xml', { status: 500 });
    const failed = await fetcher.fetchFeed(feed(), first.nextState, later(15));
    expect(failed.kind).toBe('failed');
    expect(failed.nextState.seenEntryDigests).toEqual(first.nextState.seenEntryDigests);
    server.route('/desk.xml', () => ({ headers: RSS, body }));
    body = document([entry(3), entry(2), entry(1)]);
    const recovered = changed(await fetcher.fetchFeed(feed(), failed.nextState, later(30)));
    expect(recovered.items.map((item) => item.title)).toEqual(['Story 3']);
    expect(recovered.unchangedItems).toBe(2);
  });
});
