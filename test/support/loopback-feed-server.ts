/**
 * A real HTTP server on 127.0.0.1 for tests that need a network peer: feeds, redirects, slow or
 * endless bodies, compressed bodies, arbitrary status codes. Routes map a path (query ignored) to
 * a canned response; everything received is recorded so tests can check what was (not) requested.
 *
 *   const server = await startLoopbackFeedServer({
 *     '/feed.xml': { headers: { 'content-type': 'application/rss+xml' }, body: rssText },
 *     '/moved': { status: 301, headers: { location: '/feed.xml' } },
 *     '/slow': { dripIntervalMs: 100, body: 'x' },           // one chunk of the body per interval, forever
 *     '/huge': { stream: () => zeroStream(300 * 1024 ** 2) }, // streamed, never held in memory
 *   });
 *   await fetch(server.url('/feed.xml'));
 *   expect(server.hits('/feed.xml')).toBe(1);
 *   await server.close();
 *
 * Connections are tracked so a test can wait until the client has let go of every socket.
 */
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export interface LoopbackRoute {
  /** Default 200. */
  status?: number;
  headers?: Record<string, string | number | string[]>;
  /** Sent in one piece (or in drips, see dripIntervalMs). */
  body?: string | Uint8Array;
  /** A fresh stream per request, piped to the response; destroyed when the client goes away. */
  stream?: () => Readable;
  /** Wait this long before sending the status line. */
  delayMs?: number;
  /** Send the body in `dripChunkBytes` pieces every interval; with no body, drips spaces forever. */
  dripIntervalMs?: number;
  dripChunkBytes?: number;
  /** Full control for cases the fields above cannot express; the other fields are then ignored. */
  handler?: (request: IncomingMessage, response: ServerResponse) => void | Promise<void>;
}

export type LoopbackRoutes = Record<string, LoopbackRoute | ((request: IncomingMessage) => LoopbackRoute)>;

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
}

export interface LoopbackFeedServer {
  /** http://127.0.0.1:<port> */
  origin: string;
  port: number;
  /** Absolute URL of a path on this server. */
  url(path: string): string;
  /** Adds or replaces a route while running. */
  route(path: string, route: LoopbackRoutes[string]): void;
  /** Requests received for a path (query ignored). */
  hits(path: string): number;
  readonly requests: readonly RecordedRequest[];
  /** Sockets currently open between the client and this server. */
  openConnections(): number;
  /** Connections accepted since the server started: how many the client opened. */
  connectionsAccepted(): number;
  /** Resolves once no client socket is open; rejects after `limitMs` so a leak fails the test instead of hanging it. */
  waitForNoConnections(limitMs?: number): Promise<void>;
  close(): Promise<void>;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function drip(response: ServerResponse, body: Uint8Array | null, intervalMs: number, chunkBytes: number) {
  let offset = 0;
  while (!response.destroyed) {
    if (body !== null && offset >= body.length) {
      response.end();
      return;
    }
    const chunk = body === null ? Buffer.alloc(chunkBytes, 0x20) : body.subarray(offset, offset + chunkBytes);
    offset += chunk.length;
    response.write(chunk);
    await sleep(intervalMs);
  }
}

async function respond(route: LoopbackRoute, request: IncomingMessage, response: ServerResponse) {
  if (route.handler) {
    await route.handler(request, response);
    return;
  }
  if (route.delayMs) await sleep(route.delayMs);
  if (response.destroyed) return;
  response.writeHead(route.status ?? 200, route.headers ?? {});
  if (route.stream) {
    // pipeline destroys the source when the client disconnects, so an endless stream stops too.
    await pipeline(route.stream(), response).catch(() => undefined);
    return;
  }
  const body = typeof route.body === 'string' ? Buffer.from(route.body) : (route.body ?? null);
  if (route.dripIntervalMs !== undefined) {
    await drip(response, body, route.dripIntervalMs, route.dripChunkBytes ?? 1);
    return;
  }
  response.end(body ?? undefined);
}

export async function startLoopbackFeedServer(initialRoutes: LoopbackRoutes = {}): Promise<LoopbackFeedServer> {
  const routes = new Map(Object.entries(initialRoutes));
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  let accepted = 0;

  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://loopback').pathname;
    requests.push({ method: request.method ?? 'GET', path, headers: request.headers });
    const entry = routes.get(path);
    if (entry === undefined) {
      response.writeHead(404, { 'content-type': 'text/plain' });
      response.end(`no route for ${path}`);
      return;
    }
    const route = typeof entry === 'function' ? entry(request) : entry;
    respond(route, request, response).catch(() => response.destroy());
  });
  server.on('connection', (socket) => {
    accepted += 1;
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;

  return {
    origin,
    port,
    url: (path) => new URL(path, origin).href,
    route: (path, route) => {
      routes.set(path, route);
    },
    hits: (path) => requests.filter((request) => request.path === path).length,
    requests,
    openConnections: () => sockets.size,
    connectionsAccepted: () => accepted,
    async waitForNoConnections(limitMs = 5_000) {
      const giveUpAt = Date.now() + limitMs;
      while (sockets.size > 0) {
        if (Date.now() > giveUpAt) throw new Error(`${sockets.size} client connection(s) still open`);
        await sleep(10);
      }
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      server.close();
      await once(server, 'close');
    },
  };
}

/** A stream of `totalBytes` bytes (default: spaces) produced on demand in 64 KiB chunks. */
export function generatedStream(totalBytes: number, fill = 0x20): Readable {
  const chunk = Buffer.alloc(64 * 1024, fill);
  let remaining = totalBytes;
  return new Readable({
    read() {
      if (remaining <= 0) {
        this.push(null);
        return;
      }
      const size = Math.min(remaining, chunk.length);
      remaining -= size;
      this.push(size === chunk.length ? chunk : chunk.subarray(0, size));
    },
  });
}
