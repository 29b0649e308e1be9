import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { rssDocument, syntheticItems } from './synthetic-feeds';

/**
 * A loopback server holding many synthetic feeds. Each feed has a generation; bumping it puts new items on top,
 * changes the ETag and makes conditional GETs answer 200 again. Bodies are built once per generation.
 */
export class FeedFarm {
  private readonly server: Server;
  private readonly generations: number[];
  private readonly bodies = new Map<string, Buffer>();
  private readonly fixedBodies = new Map<number, Buffer>();
  requests = 0;
  notModified = 0;

  private constructor(
    readonly feedCount: number,
    readonly itemsPerFeed: number,
  ) {
    this.generations = Array.from({ length: feedCount }, () => 0);
    this.server = createServer((request, response) => {
      this.requests += 1;
      const match = /^\/feed\/(\d+)\.xml$/.exec(request.url ?? '');
      const index = match ? Number(match[1]) : -1;
      if (index < 0 || index >= this.feedCount) {
        response.writeHead(404).end();
        return;
      }
      const etag = `"g${this.generations[index]}"`;
      if (request.headers['if-none-match'] === etag) {
        this.notModified += 1;
        response.writeHead(304, { etag }).end();
        return;
      }
      response.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8', etag });
      response.end(this.body(index));
    });
    this.server.keepAliveTimeout = 5_000;
  }

  static async start(feedCount: number, itemsPerFeed: number): Promise<FeedFarm> {
    const farm = new FeedFarm(feedCount, itemsPerFeed);
    await new Promise<void>((resolve) => farm.server.listen(0, '127.0.0.1', resolve));
    return farm;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  feedUrl(index: number): string {
    return `${this.baseUrl}/feed/${index}.xml`;
  }

  /** Serves a fixed body for one feed (e.g. a 5 MB document), whatever its generation. */
  setBody(index: number, body: Buffer): void {
    this.fixedBodies.set(index, body);
  }

  body(index: number): Buffer {
    const fixed = this.fixedBodies.get(index);
    if (fixed) return fixed;
    const generation = this.generations[index] ?? 0;
    const key = `${index}:${generation}`;
    let body = this.bodies.get(key);
    if (!body) {
      body = Buffer.from(rssDocument(`Feed ${index}`, syntheticItems(index, this.itemsPerFeed, { generation })));
      this.bodies.set(key, body);
    }
    return body;
  }

  /**
   * Puts `newItems` fresh items on top of the given feeds (all feeds when omitted). The new bodies are built here,
   * not on the first request, so the cycle that fetches them does not pay for the farm's own work.
   */
  advance(newItems: number, feeds?: number[]): void {
    for (const index of feeds ?? this.generations.keys()) {
      this.generations[index] = (this.generations[index] ?? 0) + newItems;
      this.body(index);
    }
  }

  resetCounters(): void {
    this.requests = 0;
    this.notModified = 0;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
