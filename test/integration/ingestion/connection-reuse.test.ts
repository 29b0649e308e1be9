import type { Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { FeedDefinition } from '../../../src/core/feed';
import type { FeedFetcher } from '../../../src/core/ports';
import { createHttpFeedFetcher } from '../../../src/ingestion/fetcher';
import { type LoopbackFeedServer, startLoopbackFeedServer } from '../../support/loopback-feed-server';

const RSS = { 'content-type': 'application/rss+xml; charset=utf-8' };
const now = new Date('2025-03-16T00:00:00.000Z');
const body = (name: string) =>
  `<rss version="2.0"><channel><title>${name}</title><item><guid>${name}-1</guid><title>${name} story</title></item></channel></rss>`;

let server: LoopbackFeedServer;
/** Requests each socket carried, for the route that plays a server closing a kept-open connection. */
const requestsPerSocket = new WeakMap<Socket, number>();

beforeAll(async () => {
  server = await startLoopbackFeedServer({
    '/a.xml': { headers: RSS, body: body('a') },
    '/b.xml': { headers: RSS, body: body('b') },
    '/c.xml': (request) =>
      request.headers['if-none-match'] === '"c1"'
        ? { status: 304, headers: { etag: '"c1"' } }
        : { headers: { ...RSS, etag: '"c1"' }, body: body('c') },
    '/cut-short.xml': {
      handler: (request, response) => {
        response.writeHead(200, RSS);
        response.write('<rss version="2.0"><channel><title>cut</title>');
        setTimeout(() => request.socket.destroy(), 20);
      },
    },
    '/closes-kept-connections.xml': {
      handler: (request, response) => {
        const carried = (requestsPerSocket.get(request.socket) ?? 0) + 1;
        requestsPerSocket.set(request.socket, carried);
        // A second request on one connection meets the close a server makes when its keep-alive time is up.
        if (carried > 1) {
          request.socket.destroy();
          return;
        }
        response.writeHead(200, RSS).end(body('d'));
      },
    },
  });
});

afterAll(async () => {
  await server.close();
});

const fetchers: FeedFetcher[] = [];
const newFetcher = (...args: Parameters<typeof createHttpFeedFetcher>) => {
  const fetcher = createHttpFeedFetcher(...args);
  fetchers.push(fetcher);
  return fetcher;
};

beforeEach(async () => {
  await server.waitForNoConnections();
});

afterEach(() => {
  for (const fetcher of fetchers.splice(0)) fetcher.closeConnections();
});

const feed = (path: string, url = server.url(path)): FeedDefinition => ({
  id: path.replace(/\W/g, ''),
  url,
  name: path,
  publisher: 'Loopback',
  language: 'en',
});

describe('connections kept open for a batch of polls', () => {
  it('lets feeds on one host share a connection, then closes it when the batch ends', async () => {
    const fetcher = newFetcher({ allowPrivateNetwork: true });
    const before = server.connectionsAccepted();
    for (const path of ['/a.xml', '/b.xml', '/a.xml']) {
      expect((await fetcher.fetchFeed(feed(path), null, now)).kind).toBe('changed');
    }
    expect(server.connectionsAccepted() - before).toBe(1);
    expect(server.openConnections()).toBe(1);
    fetcher.closeConnections();
    await server.waitForNoConnections(1_000);
  });

  it('keeps the connection after a 304 too', async () => {
    const fetcher = newFetcher({ allowPrivateNetwork: true });
    const before = server.connectionsAccepted();
    const first = await fetcher.fetchFeed(feed('/c.xml'), null, now);
    expect(first.kind).toBe('changed');
    const second = await fetcher.fetchFeed(feed('/c.xml'), first.nextState, now);
    expect(second.kind).toBe('not_modified');
    expect((await fetcher.fetchFeed(feed('/a.xml'), null, now)).kind).toBe('changed');
    expect(server.connectionsAccepted() - before).toBe(1);
  });

  it('fetches again on a fresh connection when the server closed the kept one as the request went out', async () => {
    const fetcher = newFetcher({ allowPrivateNetwork: true });
    const before = server.connectionsAccepted();
    const first = await fetcher.fetchFeed(feed('/closes-kept-connections.xml'), null, now);
    const second = await fetcher.fetchFeed(feed('/closes-kept-connections.xml'), null, now);
    expect([first.kind, second.kind]).toEqual(['changed', 'changed']);
    expect(server.hits('/closes-kept-connections.xml')).toBeGreaterThanOrEqual(3);
    expect(server.connectionsAccepted() - before).toBe(2);
  });

  it('does not send a request again when its body was cut short on a kept connection', async () => {
    const fetcher = newFetcher({ allowPrivateNetwork: true });
    expect((await fetcher.fetchFeed(feed('/a.xml'), null, now)).kind).toBe('changed');
    const cut = await fetcher.fetchFeed(feed('/cut-short.xml'), null, now);
    expect(cut.kind === 'failed' && cut.error.kind).toBe('network');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(server.hits('/cut-short.xml')).toBe(1);
  });

  it('never shares a connection between two host names, even when both resolve to the same checked address', async () => {
    const fetcher = newFetcher(
      { allowPrivateNetwork: true },
      { resolver: async () => [{ address: '127.0.0.1', family: 4 }] },
    );
    const before = server.connectionsAccepted();
    const one = await fetcher.fetchFeed(feed('/a.xml', `http://one.example.test:${server.port}/a.xml`), null, now);
    const two = await fetcher.fetchFeed(feed('/a.xml', `http://two.example.test:${server.port}/a.xml`), null, now);
    expect([one.kind, two.kind]).toEqual(['changed', 'changed']);
    expect(server.connectionsAccepted() - before).toBe(2);
  });
});
