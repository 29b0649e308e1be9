import { readFileSync } from 'node:fs';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FeedDefinition, FeedState } from '../../../src/core/feed';
import { createHttpFeedFetcher, initialFeedState } from '../../../src/ingestion/index';
import { type LoopbackFeedServer, startLoopbackFeedServer } from '../../support/loopback-feed-server';

const rssBody = readFileSync(new URL('../../fixtures/feeds/rss2-news.xml', import.meta.url));
const RSS = { 'content-type': 'application/rss+xml; charset=utf-8' };
const NOW = new Date('2025-03-12T12:00:00.000Z');
const secondsAfterNow = (iso: string) => (Date.parse(iso) - NOW.getTime()) / 1000;

const fetcher = createHttpFeedFetcher({
  allowPrivateNetwork: true,
  minPollIntervalSec: 60,
  maxPollIntervalSec: 7200,
  defaultPollIntervalSec: 600,
  maxBackoffSec: 86_400,
  parkAfterFailures: 3,
});

describe('polling feeds with the HTTP feed fetcher', () => {
  let server: LoopbackFeedServer;
  const feed = (path: string, id = path.slice(1)): FeedDefinition => ({
    id,
    url: server.url(path),
    name: id,
    publisher: 'Loopback',
    language: 'en',
  });

  beforeAll(async () => {
    server = await startLoopbackFeedServer({
      '/conditional': (request) =>
        request.headers['if-none-match'] === '"v1"'
          ? { status: 304, headers: { etag: '"v1"' } }
          : { headers: { ...RSS, etag: '"v1"', 'last-modified': 'Wed, 12 Mar 2025 10:00:00 GMT' }, body: rssBody },
      '/gzip': { headers: { ...RSS, 'content-encoding': 'gzip' }, body: gzipSync(rssBody) },
      '/deflate': { headers: { ...RSS, 'content-encoding': 'deflate' }, body: deflateSync(rssBody) },
      '/br': { headers: { ...RSS, 'content-encoding': 'br' }, body: brotliCompressSync(rssBody) },
      '/max-age': { headers: { ...RSS, 'cache-control': 'public, max-age=5400' }, body: rssBody },
      '/rate-limited': { status: 429, headers: { 'retry-after': '1800' } },
      '/unavailable-until': { status: 503, headers: { 'retry-after': 'Wed, 12 Mar 2025 15:00:00 GMT' } },
      '/old-home': { status: 301, headers: { location: '/new-home' } },
      '/new-home': { headers: RSS, body: rssBody },
      '/temporary': { status: 307, headers: { location: '/new-home' } },
      '/gone': { status: 410 },
      '/broken': { status: 500 },
    });
  });

  afterAll(async () => {
    await server.close();
  });

  it('stores validators, sends them back, and treats 304 as unchanged without parsing', async () => {
    const first = await fetcher.fetchFeed(feed('/conditional'), null, NOW);
    expect(first.kind).toBe('changed');
    expect(first.nextState).toMatchObject({ etag: '"v1"', lastModified: 'Wed, 12 Mar 2025 10:00:00 GMT' });
    const second = await fetcher.fetchFeed(feed('/conditional'), first.nextState, NOW);
    expect(second.kind).toBe('not_modified');
    const conditional = server.requests.filter((request) => request.path === '/conditional');
    expect(conditional[1]?.headers['if-none-match']).toBe('"v1"');
    expect(conditional[1]?.headers['if-modified-since']).toBe('Wed, 12 Mar 2025 10:00:00 GMT');
    expect(second.nextState).toMatchObject({ etag: '"v1"', consecutiveFailures: 0, status: 'active' });
  });

  it('identifies itself with a descriptive User-Agent and accepts compressed bodies', async () => {
    await fetcher.fetchFeed(feed('/conditional'), null, NOW);
    const request = server.requests.find((candidate) => candidate.path === '/conditional');
    expect(request?.headers['user-agent']).toMatch(/^storywatch\/\d+\.\d+\.\d+ \(.+\)$/);
    expect(request?.headers['accept-encoding']).toBe('gzip, deflate, br');
  });

  it.each(['/gzip', '/deflate', '/br'])('decompresses the %s body before parsing', async (path) => {
    const outcome = await fetcher.fetchFeed(feed(path), null, NOW);
    if (outcome.kind !== 'changed') throw new Error(JSON.stringify(outcome));
    expect(outcome.items[0]?.title).toBe('Envoys meet again over the proposed 30-day truce');
  });

  it('schedules the next poll from the RSS ttl', async () => {
    const outcome = await fetcher.fetchFeed(feed('/new-home'), null, NOW);
    expect(secondsAfterNow(outcome.nextState.nextPollAt)).toBe(45 * 60);
  });

  it('schedules the next poll from Cache-Control max-age when it asks for longer than the ttl', async () => {
    const outcome = await fetcher.fetchFeed(feed('/max-age'), null, NOW);
    expect(secondsAfterNow(outcome.nextState.nextPollAt)).toBe(5400);
  });

  it('honours Retry-After in seconds on 429', async () => {
    const outcome = await fetcher.fetchFeed(feed('/rate-limited'), null, NOW);
    expect(outcome.kind).toBe('failed');
    expect(outcome.kind === 'failed' && outcome.error.kind).toBe('http_status');
    expect(secondsAfterNow(outcome.nextState.nextPollAt)).toBe(1800);
    expect(outcome.nextState.consecutiveFailures).toBe(1);
  });

  it('honours Retry-After as an HTTP-date on 503', async () => {
    const outcome = await fetcher.fetchFeed(feed('/unavailable-until'), null, NOW);
    expect(secondsAfterNow(outcome.nextState.nextPollAt)).toBe(3 * 3600);
  });

  it('moves the stored URL after a 301', async () => {
    const outcome = await fetcher.fetchFeed(feed('/old-home'), null, NOW);
    expect(outcome.kind).toBe('changed');
    expect(outcome.nextState.url).toBe(server.url('/new-home'));
  });

  it('keeps the stored URL after a 307', async () => {
    const outcome = await fetcher.fetchFeed(feed('/temporary'), null, NOW);
    expect(outcome.kind).toBe('changed');
    expect(outcome.nextState.url).toBe(server.url('/temporary'));
  });

  it('marks a feed answering 410 as gone', async () => {
    const outcome = await fetcher.fetchFeed(feed('/gone'), null, NOW);
    expect(outcome.nextState.status).toBe('gone');
    expect(outcome.nextState.lastError).toMatchObject({ kind: 'http_status', at: NOW.toISOString() });
  });

  it('backs off exponentially and parks the feed after the configured number of failures', async () => {
    let state: FeedState = initialFeedState(feed('/broken'), NOW);
    const delays: number[] = [];
    for (let attempt = 0; attempt < 3; attempt++) {
      const outcome = await fetcher.fetchFeed(feed('/broken'), state, NOW);
      state = outcome.nextState;
      delays.push(secondsAfterNow(state.nextPollAt));
    }
    expect(delays).toEqual([60, 120, 240]);
    expect(state.status).toBe('parked');
    expect(state.lastError).toMatchObject({ kind: 'http_status', message: expect.stringMatching(/HTTP 500/) });
  });

  it('returns a failed outcome instead of throwing when the feed URL is unusable', async () => {
    const outcome = await fetcher.fetchFeed({ ...feed('/x'), url: 'gopher://old.example/feed' }, null, NOW);
    expect(outcome.kind === 'failed' && outcome.error.kind).toBe('invalid_url');
  });
});
