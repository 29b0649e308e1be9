import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AddressPolicy,
  fetchFeedDocument,
  type HostResolver,
  type ResolvedAddress,
} from '../../../src/ingestion/index';
import { type LoopbackFeedServer, startLoopbackFeedServer } from '../../support/loopback-feed-server';

const FEED = `<rss version="2.0"><channel><title>Reachable</title><item><title>Item</title><guid>1</guid></item></channel></rss>`;
const RSS = { 'content-type': 'application/rss+xml' };

/** Resolves names from a table; anything else is unknown, so the system DNS is never involved. */
function tableResolver(table: Record<string, string[]>, calls: string[] = []): HostResolver {
  return async (hostname) => {
    calls.push(hostname);
    const addresses = table[hostname];
    if (!addresses) throw new Error(`unknown host ${hostname}`);
    return addresses.map((address): ResolvedAddress => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
}

/** Lets the host "public.test" (which really is the loopback server) pass as if it were a public site. */
const publicStandIn: AddressPolicy = (candidate, allowedByDefault) =>
  candidate.hostname === 'public.test' || allowedByDefault;

describe('the address guard in front of every request and redirect hop', () => {
  let server: LoopbackFeedServer;
  let standIn: (path: string) => string;

  beforeAll(async () => {
    server = await startLoopbackFeedServer({
      '/feed': { headers: RSS, body: FEED },
      '/guarded-target': { headers: RSS, body: FEED },
      '/to-loopback-v4': (request) => ({
        status: 302,
        headers: { location: `http://127.0.0.1:${request.socket.localPort}/guarded-target` },
      }),
      '/to-loopback-v6': { status: 302, headers: { location: 'http://[::1]/guarded-target' } },
      '/to-mapped-loopback': { status: 302, headers: { location: 'http://[::ffff:127.0.0.1]/guarded-target' } },
      '/to-metadata': { status: 302, headers: { location: 'http://169.254.169.254/latest/meta-data/' } },
      '/to-private-name': { status: 302, headers: { location: 'http://intranet.test/feed' } },
      '/to-file': { status: 302, headers: { location: 'file:///etc/passwd' } },
    });
    standIn = (path) => `http://public.test:${server.port}${path}`;
  });

  afterAll(async () => {
    await server.close();
  });

  it('refuses the loopback server by default and sends it nothing', async () => {
    const before = server.requests.length;
    const result = await fetchFeedDocument(server.url('/feed'));
    expect(result).toEqual({
      ok: false,
      error: { kind: 'blocked_address', message: expect.stringMatching(/loopback/) },
    });
    expect(server.requests.length).toBe(before);
  });

  it('reaches the loopback server only with allowPrivateNetwork', async () => {
    const result = await fetchFeedDocument(server.url('/feed'), { allowPrivateNetwork: true });
    expect(result.ok && result.items.map((item) => item.title)).toEqual(['Item']);
  });

  it('refuses a hostname that resolves to a private address', async () => {
    const resolver = tableResolver({ 'news.test': ['10.20.30.40'] });
    const result = await fetchFeedDocument('http://news.test/feed', {}, { resolver });
    expect(result).toEqual({
      ok: false,
      error: { kind: 'blocked_address', message: expect.stringMatching(/news\.test resolves to 10\.20\.30\.40/) },
    });
  });

  it('refuses a hostname when any one of its addresses is private', async () => {
    const resolver = tableResolver({ 'mixed.test': ['93.184.215.14', 'fd12:3456::1'] });
    const result = await fetchFeedDocument('http://mixed.test/feed', {}, { resolver });
    expect(!result.ok && result.error.kind).toBe('blocked_address');
  });

  it('connects to the address it checked, so a rebinding second answer is never used', async () => {
    const calls: string[] = [];
    let answers = 0;
    const rebinding: HostResolver = async (hostname) => {
      calls.push(hostname);
      answers++;
      return [{ address: answers === 1 ? '127.0.0.1' : '10.9.9.9', family: 4 }];
    };
    const result = await fetchFeedDocument(
      `http://rebind.test:${server.port}/feed`,
      { allowPrivateNetwork: true },
      { resolver: rebinding },
    );
    expect(result.ok).toBe(true);
    expect(calls).toEqual(['rebind.test']);
  });

  it.each([
    ['/to-loopback-v4', /loopback address 127\.0\.0\.1/],
    ['/to-loopback-v6', /loopback address ::1/],
    ['/to-mapped-loopback', /loopback address ::ffff:7f00:1/],
    ['/to-metadata', /link-local address 169\.254\.169\.254/],
  ])('refuses the redirect hop %s by default', async (path, message) => {
    const result = await fetchFeedDocument(
      standIn(path),
      {},
      {
        resolver: tableResolver({ 'public.test': ['127.0.0.1'] }),
        addressPolicy: publicStandIn,
      },
    );
    expect(result).toEqual({ ok: false, error: { kind: 'blocked_address', message: expect.stringMatching(message) } });
    expect(server.hits('/guarded-target')).toBe(0);
  });

  it('refuses a redirect to a hostname that resolves to a private address', async () => {
    const result = await fetchFeedDocument(
      standIn('/to-private-name'),
      {},
      {
        resolver: tableResolver({ 'public.test': ['127.0.0.1'], 'intranet.test': ['192.168.1.10'] }),
        addressPolicy: publicStandIn,
      },
    );
    expect(!result.ok && result.error.kind).toBe('blocked_address');
  });

  it('keeps the metadata address blocked even when private networks are allowed', async () => {
    const result = await fetchFeedDocument(server.url('/to-metadata'), { allowPrivateNetwork: true });
    expect(!result.ok && result.error.kind).toBe('blocked_address');
  });

  it('refuses a redirect to a non-http scheme as an invalid URL', async () => {
    const result = await fetchFeedDocument(server.url('/to-file'), { allowPrivateNetwork: true });
    expect(!result.ok && result.error.kind).toBe('invalid_url');
  });

  it.each(['ftp://example.org/feed.xml', 'javascript:alert(1)', 'not a url', 'http://user:pw@example.org/'])(
    'refuses %s before any lookup',
    async (url) => {
      const calls: string[] = [];
      const result = await fetchFeedDocument(url, {}, { resolver: tableResolver({}, calls) });
      expect(!result.ok && result.error.kind).toBe('invalid_url');
      expect(calls).toEqual([]);
    },
  );
});
