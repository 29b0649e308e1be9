/**
 * Network-side security checks that complement test/integration/ingestion/address-guard.test.ts and
 * bad-inputs.test.ts (which cover private DNS answers, rebinding, redirects to private hosts and schemes, and the
 * gzip bomb): alternative spellings of loopback addresses, metadata addresses behind names, and the other
 * compressions a server may announce.
 */
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AddressPolicy,
  createHttpFeedFetcher,
  fetchFeedDocument,
  type HostResolver,
} from '../../src/ingestion/index';
import { type LoopbackFeedServer, startLoopbackFeedServer } from '../support/loopback-feed-server';

const FEED =
  '<rss version="2.0"><channel><title>Reachable</title><item><title>One</title><guid>1</guid></item></channel></rss>';
const RSS = { 'content-type': 'application/rss+xml' };
const MB = 1024 * 1024;

/** Answers every name with the given addresses; records what was asked. */
function resolverAnswering(addresses: string[], asked: string[] = []): HostResolver {
  return async (hostname) => {
    asked.push(hostname);
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
}

let server: LoopbackFeedServer;
const bomb = Buffer.alloc(64 * MB, 0x20);

beforeAll(async () => {
  server = await startLoopbackFeedServer({
    '/feed': { headers: RSS, body: FEED },
    '/brotli-bomb': { headers: { ...RSS, 'content-encoding': 'br' }, body: brotliCompressSync(bomb) },
    '/deflate-bomb': { headers: { ...RSS, 'content-encoding': 'deflate' }, body: deflateSync(bomb) },
    '/stacked-encodings': {
      headers: { ...RSS, 'content-encoding': 'gzip, gzip' },
      body: gzipSync(gzipSync(bomb)),
    },
    '/to-decimal-loopback': (request) => ({
      status: 302,
      headers: { location: `http://2130706433:${request.socket.localPort}/feed` },
    }),
  });
});

afterAll(async () => {
  await server?.close();
});

describe('the address guard against other spellings of a blocked address', () => {
  it.each([
    ['decimal', 'http://2130706433:PORT/feed'],
    ['hexadecimal', 'http://0x7f000001:PORT/feed'],
    ['octal dotted', 'http://0177.0.0.1:PORT/feed'],
    ['short dotted', 'http://127.1:PORT/feed'],
    ['IPv4-mapped IPv6', 'http://[::ffff:7f00:1]:PORT/feed'],
    ['localhost by name', 'http://localhost:PORT/feed'],
  ])('refuses a %s spelling of the loopback address and sends it nothing', async (_spelling, template) => {
    const before = server.requests.length;
    const result = await fetchFeedDocument(
      template.replace('PORT', String(server.port)),
      {},
      {
        resolver: resolverAnswering(['127.0.0.1']),
      },
    );
    expect(result).toMatchObject({ ok: false, error: { kind: 'blocked_address' } });
    expect(server.requests.length).toBe(before);
  });

  it('refuses a redirect to a decimal spelling of the loopback address after the first hop', async () => {
    // The first hop is let through as if public; the redirect target must be checked on its own.
    const onlyFirstHop: AddressPolicy = (candidate, allowedByDefault) =>
      candidate.hostname === 'public.test' || allowedByDefault;
    const result = await fetchFeedDocument(
      `http://public.test:${server.port}/to-decimal-loopback`,
      {},
      { resolver: resolverAnswering(['127.0.0.1']), addressPolicy: onlyFirstHop },
    );
    expect(result).toMatchObject({ ok: false, error: { kind: 'blocked_address' } });
    expect(server.hits('/feed')).toBe(0);
  });

  it.each([
    ['the IPv4 metadata address', '169.254.169.254'],
    ['a link-local IPv6 address', 'fe80::a9fe:a9fe'],
    ['an IPv4-mapped metadata address', '::ffff:169.254.169.254'],
  ])('refuses a hostname that resolves to %s even when private networks are allowed', async (_name, address) => {
    const asked: string[] = [];
    const result = await fetchFeedDocument(
      'http://metadata.internal.test/latest/meta-data/',
      { allowPrivateNetwork: true },
      { resolver: resolverAnswering([address], asked) },
    );
    expect(asked).toEqual(['metadata.internal.test']);
    expect(result).toMatchObject({ ok: false, error: { kind: 'blocked_address' } });
  });

  it('records a blocked feed as a failed poll with backoff instead of throwing', async () => {
    const fetcher = createHttpFeedFetcher({}, { resolver: resolverAnswering(['10.0.0.8']) });
    const feed = { id: 'inside', url: 'http://intranet.test/feed', name: 'x', publisher: 'x', language: 'en' };
    const now = new Date('2025-03-14T12:00:00.000Z');

    const outcome = await fetcher.fetchFeed(feed, null, now);

    expect(outcome.kind).toBe('failed');
    expect(outcome.kind === 'failed' && outcome.error.kind).toBe('blocked_address');
    expect(Date.parse(outcome.nextState.nextPollAt)).toBeGreaterThan(now.getTime());
    expect(outcome.nextState.consecutiveFailures).toBe(1);
  });
});

describe('decompression caps for every encoding a server may announce', () => {
  const local = { allowPrivateNetwork: true, maxBytes: 2 * MB };

  it.each([
    ['brotli', '/brotli-bomb'],
    ['deflate', '/deflate-bomb'],
  ])('stops inflating a %s bomb at the cap measured after decompression', async (_encoding, path) => {
    const before = server.requests.length;
    const result = await fetchFeedDocument(server.url(path), local);
    expect(result).toEqual({
      ok: false,
      error: { kind: 'too_large', message: expect.stringMatching(/after decompression/) },
    });
    expect(server.requests.length).toBe(before + 1);
    await server.waitForNoConnections();
  });

  it('refuses stacked encodings it cannot cap instead of passing the inner layer through', async () => {
    const result = await fetchFeedDocument(server.url('/stacked-encodings'), local);
    expect(result).toEqual({ ok: false, error: { kind: 'decode', message: expect.stringMatching(/gzip, gzip/) } });
  });
});
