import type { Agent, ClientRequest, IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import type { Readable, Transform } from 'node:stream';
import { finished } from 'node:stream/promises';
import { createBrotliDecompress, createUnzip } from 'node:zlib';
import {
  type AddressPolicy,
  type HostResolver,
  parseFeedUrl,
  type ResolvedAddress,
  resolveAllowedAddress,
} from './address-guard';
import type { ConnectionPool } from './connection-pool';
import { FeedError } from './errors';
import type { FetchOptions } from './options';

export interface ConditionalRequest {
  url: string;
  etag?: string | null;
  lastModified?: string | null;
}

export interface FeedHttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** URL after redirects. */
  finalUrl: string;
  /** Target of the chain of 301/308 hops that started at the requested URL, or null. */
  permanentUrl: string | null;
  /** Decompressed body; null for 304. */
  body: Uint8Array | null;
}

type HttpSettings = Pick<FetchOptions, 'allowPrivateNetwork' | 'timeoutMs' | 'maxBytes' | 'maxRedirects' | 'userAgent'>;

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const PERMANENT_REDIRECT_STATUSES = new Set([301, 308]);

/**
 * The DNS answer was checked already; handing the same address to the socket means a second,
 * rebinding answer can never be the one connected to.
 */
function pinnedLookup(pinned: ResolvedAddress): LookupFunction {
  return (_hostname, options, callback) => {
    if (options.all) {
      (callback as (error: null, addresses: { address: string; family: number }[]) => void)(null, [
        { address: pinned.address, family: pinned.family },
      ]);
    } else {
      callback(null, pinned.address, pinned.family);
    }
  };
}

interface Deadline {
  /** Registers what to destroy when the deadline fires; returns an unregister function. */
  attach(destroy: (error: FeedError) => void): () => void;
  readonly error: FeedError | null;
  clear(): void;
}

function startDeadline(timeoutMs: number, url: string): Deadline {
  const destroyers = new Set<(error: FeedError) => void>();
  let fired: FeedError | null = null;
  const timer = setTimeout(() => {
    fired = new FeedError('timeout', `no complete response from ${url} within ${timeoutMs} ms`);
    for (const destroy of destroyers) destroy(fired);
  }, timeoutMs);
  return {
    attach(destroy) {
      if (fired) {
        destroy(fired);
        return () => {};
      }
      destroyers.add(destroy);
      return () => {
        destroyers.delete(destroy);
      };
    },
    get error() {
      return fired;
    },
    clear() {
      clearTimeout(timer);
      destroyers.clear();
    },
  };
}

function headerValue(headers: IncomingHttpHeaders, name: string): string | null {
  const value = headers[name];
  if (Array.isArray(value)) return value[0] ?? null;
  return value ?? null;
}

function sendRequest(
  url: URL,
  pinned: ResolvedAddress,
  headers: Record<string, string>,
  deadline: Deadline,
  pool: ConnectionPool | null,
): Promise<{ response: IncomingMessage; request: ClientRequest }> {
  return new Promise((resolve, reject) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    // Without a pool, agent: false gives every hop its own socket, so a pinned connection is never reused for
    // another host; the pool's agents are per host and pinned address for the same reason.
    const agent: Agent | false = pool ? pool.agentFor(url, pinned) : false;
    const request = send(url, { method: 'GET', headers, agent, lookup: pinnedLookup(pinned) });
    const detach = deadline.attach((error) => request.destroy(error));
    let answered = false;
    request.once('response', (response) => {
      answered = true;
      detach();
      resolve({ response, request });
    });
    request.once('error', (error) => {
      detach();
      // After the response began, errors belong to reading the body (readCappedBody), never to a second request.
      if (answered) return;
      if (request.reusedSocket && !(error instanceof FeedError)) {
        // The server closed the kept-open connection as this request went out on it. Nothing was answered, and a
        // GET is safe to repeat: once more, on a connection of its own.
        sendRequest(url, pinned, headers, deadline, null).then(resolve, reject);
        return;
      }
      reject(
        error instanceof FeedError
          ? error
          : new FeedError('network', `request to ${url.host} failed: ${error.message}`),
      );
    });
    request.end();
  });
}

function decompressor(contentEncoding: string | null): Transform | null {
  const encoding = (contentEncoding ?? '').trim().toLowerCase();
  if (encoding === '' || encoding === 'identity') return null;
  // createUnzip accepts both gzip and zlib-wrapped deflate, the two forms servers send.
  if (encoding === 'gzip' || encoding === 'x-gzip' || encoding === 'deflate') return createUnzip();
  if (encoding === 'br') return createBrotliDecompress();
  throw new FeedError('decode', `unsupported Content-Encoding "${encoding}"`);
}

/** Reads the body, decompressing on the way, and aborts as soon as the decompressed size passes the cap. */
function readCappedBody(
  response: IncomingMessage,
  request: ClientRequest,
  maxBytes: number,
  deadline: Deadline,
): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    let inflate: Transform | null;
    try {
      inflate = decompressor(headerValue(response.headers, 'content-encoding'));
    } catch (error) {
      request.destroy();
      reject(error);
      return;
    }
    const source: Readable = inflate ?? response;
    const chunks: Buffer[] = [];
    let total = 0;
    let settled = false;
    // Assigned below; declared first because an already-expired deadline calls finish during attach.
    let detach = () => {};
    const finish = (error: FeedError | null) => {
      if (settled) return;
      settled = true;
      detach();
      if (error) {
        inflate?.destroy();
        response.destroy();
        request.destroy();
        reject(error);
      } else {
        resolve(Buffer.concat(chunks, total));
      }
    };
    detach = deadline.attach((error) => finish(error));
    if (inflate) {
      response.on('error', (error) => finish(new FeedError('network', `body read failed: ${error.message}`)));
      response.pipe(inflate);
    }
    source.on('data', (chunk: Buffer) => {
      total += chunk.length;
      if (total > maxBytes) {
        finish(new FeedError('too_large', `body exceeds ${maxBytes} bytes${inflate ? ' after decompression' : ''}`));
        return;
      }
      chunks.push(chunk);
    });
    source.once('end', () => finish(null));
    source.once('error', (error) => {
      const kind = inflate && source === inflate ? 'decode' : 'network';
      finish(new FeedError(kind, `body read failed: ${error.message}`));
    });
    response.once('aborted', () => finish(new FeedError('network', 'connection closed before the body ended')));
  });
}

/**
 * GETs a feed: redirects followed by hand so every hop passes the address guard, one deadline for
 * the whole exchange, body capped after decompression. Throws FeedError; returns 2xx and 304 only.
 * With a pool, a connection that ended cleanly (a body read to its end, a 304) is kept for the next request to
 * the same host; any other ending destroys it.
 */
export async function httpGetFeed(
  target: ConditionalRequest,
  settings: HttpSettings,
  network: { resolver: HostResolver; addressPolicy?: AddressPolicy | undefined },
  pool: ConnectionPool | null = null,
): Promise<FeedHttpResponse> {
  const chain = new RedirectChain(target.url, settings.maxRedirects);
  let current = chain.current;
  const deadline = startDeadline(settings.timeoutMs, current.href);
  const headers = requestHeaders(target, settings.userAgent);
  try {
    for (;;) {
      const pinned = await raceDeadline(
        resolveAllowedAddress(current, settings.allowPrivateNetwork, network.resolver, network.addressPolicy),
        deadline,
      );
      const exchange = await sendRequest(current, pinned, headers, deadline, pool);
      const status = exchange.response.statusCode ?? 0;
      const location = headerValue(exchange.response.headers, 'location');
      if (!REDIRECT_STATUSES.has(status) || location === null) {
        return await finalResponse(exchange, { url: current, chain, maxBytes: settings.maxBytes, deadline });
      }
      // The redirect body is never wanted; destroying frees the socket at once.
      exchange.response.destroy();
      exchange.request.destroy();
      current = chain.follow(status, location);
    }
  } catch (error) {
    // A request destroyed by the deadline may surface as a generic socket error; the deadline is the cause.
    if (deadline.error && !(error instanceof FeedError && error.kind !== 'network')) throw deadline.error;
    throw error;
  } finally {
    deadline.clear();
  }
}

const ACCEPTED_TYPES =
  'application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5';

/** The headers of every hop: the validators of the last fetch make the request conditional. */
function requestHeaders(target: ConditionalRequest, userAgent: string): Record<string, string> {
  const headers: Record<string, string> = {
    'user-agent': userAgent,
    accept: ACCEPTED_TYPES,
    'accept-encoding': 'gzip, deflate, br',
  };
  if (target.etag) headers['if-none-match'] = target.etag;
  if (target.lastModified) headers['if-modified-since'] = target.lastModified;
  return headers;
}

/** Where a response that is no redirect came from, and what its body may cost. */
interface FinalHop {
  url: URL;
  chain: RedirectChain;
  maxBytes: number;
  deadline: Deadline;
}

/** The answer at the end of the redirects: a 304, or a 2xx with its body read; any other status is a FeedError. */
async function finalResponse(
  { response, request }: { response: IncomingMessage; request: ClientRequest },
  { url, chain, maxBytes, deadline }: FinalHop,
): Promise<FeedHttpResponse> {
  const status = response.statusCode ?? 0;
  const answer = { status, headers: response.headers, finalUrl: url.href, permanentUrl: chain.permanentUrl };
  if (status === 304) {
    // No body follows a 304; once its end is read, a pooled connection is free for the next feed on this host.
    response.resume();
    await finished(response).catch(() => request.destroy());
    return { ...answer, body: null };
  }
  if (status < 200 || status > 299) {
    response.destroy();
    request.destroy();
    throw new FeedError('http_status', `HTTP ${status} from ${url.href}`, {
      httpStatus: status,
      retryAfter: headerValue(response.headers, 'retry-after'),
      permanentUrl: chain.permanentUrl,
    });
  }
  const declaredLength = Number(headerValue(response.headers, 'content-length'));
  if (Number.isFinite(declaredLength) && declaredLength > maxBytes) {
    response.destroy();
    request.destroy();
    throw new FeedError('too_large', `Content-Length ${declaredLength} exceeds ${maxBytes} bytes`, {
      permanentUrl: chain.permanentUrl,
    });
  }
  return { ...answer, body: await readCappedBody(response, request, maxBytes, deadline) };
}

/**
 * The redirect rules, apart from the network: hop limit (0 refuses any redirect), loops, https to
 * http downgrades, non-http schemes, and which URL the feed permanently moved to.
 */
export class RedirectChain {
  current: URL;
  /** Target of the unbroken run of 301/308 hops from the first URL; a 302/307 ends the run. */
  permanentUrl: string | null = null;
  private permanentRunIntact = true;
  private readonly visited: Set<string>;
  private hops = 0;

  constructor(
    startUrl: string,
    private readonly maxRedirects: number,
  ) {
    this.current = parseFeedUrl(startUrl);
    this.visited = new Set([withoutFragment(this.current)]);
  }

  /** Returns the next URL to request, or throws the classified reason to stop. */
  follow(status: number, location: string): URL {
    const details = { permanentUrl: this.permanentUrl };
    if (this.hops >= this.maxRedirects) {
      throw new FeedError(
        'too_many_redirects',
        this.maxRedirects === 0
          ? `redirect to ${location} refused: redirects are disabled`
          : `more than ${this.maxRedirects} redirects`,
        details,
      );
    }
    const next = parseFeedUrl(location, this.current.href);
    if (this.current.protocol === 'https:' && next.protocol === 'http:') {
      throw new FeedError('insecure_redirect', `refusing redirect from https to ${next.href}`, details);
    }
    const key = withoutFragment(next);
    if (this.visited.has(key)) throw new FeedError('redirect_loop', `redirect loop back to ${next.href}`, details);
    this.visited.add(key);
    this.hops++;
    if (this.permanentRunIntact && PERMANENT_REDIRECT_STATUSES.has(status)) this.permanentUrl = next.href;
    else this.permanentRunIntact = false;
    this.current = next;
    return next;
  }
}

function withoutFragment(url: URL): string {
  const copy = new URL(url.href);
  copy.hash = '';
  return copy.href;
}

function raceDeadline<T>(work: Promise<T>, deadline: Deadline): Promise<T> {
  return new Promise((resolve, reject) => {
    const detach = deadline.attach(reject);
    work.then(
      (value) => {
        detach();
        resolve(value);
      },
      (error) => {
        detach();
        reject(error);
      },
    );
  });
}
