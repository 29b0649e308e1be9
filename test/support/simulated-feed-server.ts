/**
 * One loopback HTTP server that plays every feed of a SimulatedWorld at the simulated time: `/feeds/<id>.xml`
 * answers with the feed's latest entries published up to `clock.now()`, an ETag that changes with each
 * publication (304 to a matching If-None-Match), the feed's TTL and Cache-Control hints, a hub link for WebSub
 * feeds, and 429 + Retry-After on every n-th request of a throttled feed. Feeds are reached by their own host
 * names (`*.sim.test`), which `simulatedResolver` sends to 127.0.0.1, so per-host budgets see real host names.
 */
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HostResolver } from '../../src/ingestion/address-guard';
import type { Publication, SimulatedFeed, SimulatedWorld } from './simulated-world';

const ENTRIES_PER_DOCUMENT = 20;

export interface SimulatedFeedServer {
  port: number;
  feedUrl(feed: SimulatedFeed): string;
  /** The feed's document as of `at` (what the hub pushes). */
  document(feed: SimulatedFeed, at: number): string;
  requests: number;
  close(): Promise<void>;
}

export const simulatedResolver: HostResolver = async (hostname) => {
  if (!hostname.endsWith('.sim.test')) throw new Error(`not a simulated host: ${hostname}`);
  return [{ address: '127.0.0.1', family: 4 }];
};

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Publications of one feed up to `at`, found by binary search in the feed's sorted list. */
function publishedBy(list: Publication[], at: number): number {
  let low = 0;
  let high = list.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if ((list[middle] as Publication).at <= at) low = middle + 1;
    else high = middle;
  }
  return low;
}

export async function startSimulatedFeedServer(options: {
  world: SimulatedWorld;
  clock: { now(): Date };
  hubUrl?: string;
}): Promise<SimulatedFeedServer> {
  const { world, clock } = options;
  const feeds = new Map(world.feeds.map((feed) => [feed.id, feed]));
  const byFeed = new Map<string, Publication[]>(world.feeds.map((feed) => [feed.id, []]));
  for (const publication of world.publications) byFeed.get(publication.feedId)?.push(publication);
  const requestCounts = new Map<string, number>();
  let port = 0;
  const feedUrl = (feed: SimulatedFeed) => `http://${feed.host}:${port}/feeds/${feed.id}.xml`;

  function document(feed: SimulatedFeed, at: number): string {
    const list = byFeed.get(feed.id) ?? [];
    const count = publishedBy(list, at);
    const entries = list
      .slice(Math.max(0, count - ENTRIES_PER_DOCUMENT), count)
      .reverse()
      .map(
        (p) =>
          `<item><guid isPermaLink="false">${p.id}</guid><title>${escapeXml(p.title)}</title>` +
          `<link>https://${feed.host}/news/${p.id}</link><pubDate>${new Date(p.at).toUTCString()}</pubDate>` +
          `<description>${escapeXml(p.title)}. More as it comes.</description></item>`,
      )
      .join('');
    const hub = feed.websub && options.hubUrl ? `<atom:link rel="hub" href="${options.hubUrl}"/>` : '';
    const self = `<atom:link rel="self" href="${feedUrl(feed)}"/>`;
    const ttl = feed.hints.ttlMinutes ? `<ttl>${feed.hints.ttlMinutes}</ttl>` : '';
    return `<?xml version="1.0" encoding="utf-8"?><rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel><title>${feed.id}</title><link>https://${feed.host}/</link><description>simulated</description><language>en</language>${ttl}${hub}${self}${entries}</channel></rss>`;
  }

  const server = createServer((request, response) => {
    const id = /^\/feeds\/([\w-]+)\.xml$/.exec(request.url ?? '')?.[1];
    const feed = id ? feeds.get(id) : undefined;
    if (!feed) {
      response.writeHead(404).end();
      return;
    }
    handle.requests += 1;
    const count = (requestCounts.get(feed.id) ?? 0) + 1;
    requestCounts.set(feed.id, count);
    if (feed.throttle && count % feed.throttle.everyNth === 0) {
      response.writeHead(429, { 'retry-after': String(feed.throttle.retryAfterSec) }).end();
      return;
    }
    const now = clock.now().getTime();
    const etag = `"${feed.id}-${publishedBy(byFeed.get(feed.id) ?? [], now)}"`;
    const headers: Record<string, string> = { etag, 'content-type': 'application/rss+xml; charset=utf-8' };
    if (feed.hints.maxAgeSec) headers['cache-control'] = `max-age=${feed.hints.maxAgeSec}`;
    if (request.headers['if-none-match'] === etag) {
      response.writeHead(304, headers).end();
      return;
    }
    response.writeHead(200, headers).end(document(feed, now));
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  port = (server.address() as AddressInfo).port;
  const handle: SimulatedFeedServer = {
    port,
    feedUrl,
    document,
    requests: 0,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return handle;
}
