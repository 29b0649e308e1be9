import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FeedDefinition } from '../core/feed';
import type { Clock } from '../core/ports';
import { type DemoItem, type DemoOutlet, type DemoTimeline, demoItemGuid, demoItemLink } from './timeline';

export interface DemoFeedServerOptions {
  /** Decides which items are published; the demo shares it with the pipeline. */
  clock: Clock;
  /** How many of the newest published items a feed shows, like a real feed's window. */
  maxItemsPerFeed?: number;
}

export interface DemoFeedRequestLog {
  outletId: string;
  status: 200 | 304 | 404 | 405;
  conditional: boolean;
}

export interface DemoFeedServer {
  /** One registry entry per outlet, pointing at this server. */
  feeds: FeedDefinition[];
  /** Every request answered so far, in order: lets tests check that conditional GETs happened. */
  requests: DemoFeedRequestLog[];
  close(): Promise<void>;
}

const DEFAULT_MAX_ITEMS_PER_FEED = 20;

interface FeedSnapshot {
  body: string;
  contentType: string;
  etag: string;
  lastModified: string;
}

/**
 * Serves each outlet of the timeline from its own loopback port, so every outlet is a distinct source host just as
 * independent publishers would be. A feed holds only the items published at or before the clock's "now", newest
 * first, and answers conditional requests with 304 so the production fetcher's validator path is exercised.
 */
export async function startDemoFeedServer(
  timeline: DemoTimeline,
  options: DemoFeedServerOptions,
): Promise<DemoFeedServer> {
  const maxItems = options.maxItemsPerFeed ?? DEFAULT_MAX_ITEMS_PER_FEED;
  const requests: DemoFeedRequestLog[] = [];
  const servers: Server[] = [];
  const feeds: FeedDefinition[] = [];
  try {
    for (const outlet of timeline.outlets) {
      const outletItems = timeline.items
        .filter((item) => item.outlet === outlet.id)
        .sort((a, b) => Date.parse(b.published) - Date.parse(a.published));
      const server = createServer((request, response) => {
        const snapshot = renderSnapshot(outlet, outletItems, options.clock.now(), maxItems);
        answer(request, response, outlet, snapshot, requests);
      });
      servers.push(server);
      const port = await listenOnLoopback(server);
      const path = outlet.format === 'atom' ? '/atom.xml' : '/rss.xml';
      feeds.push({
        id: outlet.id,
        url: `http://127.0.0.1:${port}${path}`,
        name: outlet.name,
        publisher: outlet.publisher,
        language: outlet.language,
      });
    }
  } catch (error) {
    await Promise.all(servers.map(closeServer));
    throw error;
  }
  return {
    feeds,
    requests,
    close: async () => {
      await Promise.all(servers.map(closeServer));
    },
  };
}

function answer(
  request: IncomingMessage,
  response: ServerResponse,
  outlet: DemoOutlet,
  snapshot: FeedSnapshot,
  requests: DemoFeedRequestLog[],
): void {
  const conditional =
    request.headers['if-none-match'] !== undefined || request.headers['if-modified-since'] !== undefined;
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    requests.push({ outletId: outlet.id, status: 405, conditional });
    response.writeHead(405, { allow: 'GET, HEAD' }).end();
    return;
  }
  const path = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
  if (path !== (outlet.format === 'atom' ? '/atom.xml' : '/rss.xml')) {
    requests.push({ outletId: outlet.id, status: 404, conditional });
    response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('no such feed\n');
    return;
  }
  const validators = { etag: snapshot.etag, 'last-modified': snapshot.lastModified, 'cache-control': 'no-cache' };
  if (isNotModified(request, snapshot)) {
    requests.push({ outletId: outlet.id, status: 304, conditional });
    response.writeHead(304, validators).end();
    return;
  }
  requests.push({ outletId: outlet.id, status: 200, conditional });
  response.writeHead(200, { ...validators, 'content-type': snapshot.contentType });
  response.end(request.method === 'HEAD' ? undefined : snapshot.body);
}

/** RFC 9110: If-None-Match wins when present; If-Modified-Since is only consulted without it. */
function isNotModified(request: IncomingMessage, snapshot: FeedSnapshot): boolean {
  const ifNoneMatch = request.headers['if-none-match'];
  if (ifNoneMatch !== undefined) {
    return ifNoneMatch
      .split(',')
      .map((tag) => tag.trim().replace(/^W\//, ''))
      .some((tag) => tag === '*' || tag === snapshot.etag);
  }
  const ifModifiedSince = request.headers['if-modified-since'];
  if (ifModifiedSince === undefined) return false;
  const since = Date.parse(ifModifiedSince);
  return Number.isFinite(since) && Date.parse(snapshot.lastModified) <= since;
}

function renderSnapshot(outlet: DemoOutlet, newestFirst: DemoItem[], now: Date, maxItems: number): FeedSnapshot {
  const visible = newestFirst.filter((item) => Date.parse(item.published) <= now.getTime()).slice(0, maxItems);
  const newest = visible[0];
  // Before the first item appears the feed still exists; its validators must not change until something is published.
  const lastModified = new Date(newest ? newest.published : '2025-01-01T00:00:00Z').toUTCString();
  const etag = `"${createHash('sha1')
    .update(visible.map((item) => demoItemGuid(item)).join('\n'))
    .digest('hex')
    .slice(0, 20)}"`;
  if (outlet.format === 'atom') {
    return {
      body: renderAtom(outlet, visible, lastModified),
      contentType: 'application/atom+xml; charset=utf-8',
      etag,
      lastModified,
    };
  }
  return {
    body: renderRss(outlet, visible, lastModified),
    contentType: 'application/rss+xml; charset=utf-8',
    etag,
    lastModified,
  };
}

function renderRss(outlet: DemoOutlet, visible: DemoItem[], lastModified: string): string {
  const entries = visible.map(
    (item) => `    <item>
      <title>${escapeXml(item.title)}</title>
      <link>${escapeXml(demoItemLink(item))}</link>
      <guid isPermaLink="false">${escapeXml(demoItemGuid(item))}</guid>
      <pubDate>${new Date(item.published).toUTCString()}</pubDate>
      <description>${escapeXml(item.description)}</description>
    </item>`,
  );
  return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0">
  <channel>
    <title>${escapeXml(outlet.name)}</title>
    <link>https://${outlet.id}.example.org/</link>
    <description>${escapeXml(outlet.publisher)}</description>
    <language>${escapeXml(outlet.language)}</language>
    <lastBuildDate>${lastModified}</lastBuildDate>
${entries.join('\n')}
  </channel>
</rss>
`;
}

function renderAtom(outlet: DemoOutlet, visible: DemoItem[], lastModified: string): string {
  const entries = visible.map(
    (item) => `  <entry>
    <id>${escapeXml(demoItemGuid(item))}</id>
    <title type="text">${escapeXml(item.title)}</title>
    <link rel="alternate" href="${escapeXml(demoItemLink(item))}"/>
    <published>${item.published}</published>
    <updated>${item.published}</updated>
    <summary type="text">${escapeXml(item.description)}</summary>
  </entry>`,
  );
  return `<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="${escapeXml(outlet.language)}">
  <id>urn:storywatch-demo:${outlet.id}</id>
  <title>${escapeXml(outlet.name)}</title>
  <updated>${new Date(lastModified).toISOString()}</updated>
  <author><name>${escapeXml(outlet.publisher)}</name></author>
${entries.join('\n')}
</feed>
`;
}

function escapeXml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&apos;');
}

function listenOnLoopback(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
    // Keep-alive sockets from the fetcher would otherwise hold close() open until they time out.
    server.closeAllConnections();
  });
}
