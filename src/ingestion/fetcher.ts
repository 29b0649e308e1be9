import type { IncomingHttpHeaders } from 'node:http';
import type { ClassifiedError, FeedItem, FeedState, FetchOutcome } from '../core/feed';
import type { FeedFetcher } from '../core/ports';
import { boundPublishedTime } from '../core/published-time';
import { hubOfPolledDocument } from '../websub/discovery';
import { type AddressPolicy, type HostResolver, systemResolver } from './address-guard';
import { ConnectionPool } from './connection-pool';
import { classifyError, FeedError } from './errors';
import { type FeedHttpResponse, httpGetFeed } from './http';
import { type FetchOptions, resolveFetchOptions } from './options';
import { type ParsedFeedDocument, type ParsedFeedInfo, parseFeedDocument } from './parse';
import { initialFeedState, stateAfterFailure, stateAfterSuccess } from './politeness';
import { truncationOf } from './truncation';

export interface FetcherDeps {
  /** DNS for the address guard; tests inject one to simulate a hostname that resolves to a private address. */
  resolver?: HostResolver;
  /** Overrides the address guard per resolved address (allowlists; tests standing in for public hosts). */
  addressPolicy?: AddressPolicy;
}

function networkOf(deps: FetcherDeps) {
  return { resolver: deps.resolver ?? systemResolver, addressPolicy: deps.addressPolicy };
}

function header(headers: IncomingHttpHeaders, name: string): string | null {
  const value = headers[name];
  return (Array.isArray(value) ? value[0] : value) ?? null;
}

/** parseFeedDocument, with anything unclassified it throws (a bug) reported as a 'parse' failure of this document. */
async function parseDocument(
  body: Uint8Array,
  contentType: string | null,
  url: string,
  settings: FetchOptions,
): Promise<ParsedFeedDocument> {
  try {
    return await parseFeedDocument(body, contentType, url, settings);
  } catch (error) {
    if (error instanceof FeedError) throw error;
    throw new FeedError('parse', `feed could not be read: ${(error as Error).message}`);
  }
}

export interface ReadableFeed {
  feed: ParsedFeedInfo;
  items: FeedItem[];
  skippedItems: number;
}

/** A failure may still carry what could be read: the items before the cut of a truncated document. */
export type FeedDocumentResult =
  | ({ ok: true } & ReadableFeed)
  | { ok: false; error: ClassifiedError; partial?: ReadableFeed };

/** One unconditional fetch and parse, for the CLI and ad-hoc checks. Never throws. */
export async function fetchFeedDocument(
  url: string,
  options: Partial<FetchOptions> = {},
  deps: FetcherDeps = {},
): Promise<FeedDocumentResult> {
  const settings = resolveFetchOptions(options);
  try {
    const response = await httpGetFeed({ url }, settings, networkOf(deps));
    if (response.body === null) throw new FeedError('http_status', 'HTTP 304 to an unconditional request');
    const parsed = await parseDocument(
      response.body,
      header(response.headers, 'content-type'),
      response.finalUrl,
      settings,
    );
    const now = new Date();
    const items = parsed.items.map((item) => boundPublishedTime(item, now));
    const readable = { feed: parsed.feed, items, skippedItems: parsed.skippedItems };
    const truncation = truncationOf(parsed.ending, null);
    if (truncation !== null) return { ok: false, error: { kind: 'truncated', message: truncation }, partial: readable };
    return { ok: true, ...readable };
  } catch (error) {
    return { ok: false, error: classifyError(error) };
  }
}

export function createHttpFeedFetcher(options: Partial<FetchOptions> = {}, deps: FetcherDeps = {}): FeedFetcher {
  const settings = resolveFetchOptions(options);
  const network = networkOf(deps);
  const pool = new ConnectionPool();
  return {
    closeConnections: () => pool.close(),
    async fetchFeed(feed, state, now): Promise<FetchOutcome> {
      const current = state ?? initialFeedState(feed, now);
      try {
        const { url, etag, lastModified } = current;
        const response = await httpGetFeed({ url, etag, lastModified }, settings, network, pool);
        return await outcomeOf(response, current, now, settings);
      } catch (error) {
        return failedOutcome(error, current, now, settings);
      }
    },
  };
}

/** A 304 keeps the feed as it was; a body is parsed against the entries the last fetch saw. Throws FeedError. */
async function outcomeOf(
  response: FeedHttpResponse,
  current: FeedState,
  now: Date,
  settings: FetchOptions,
): Promise<FetchOutcome> {
  const validators = {
    etag: header(response.headers, 'etag'),
    lastModified: header(response.headers, 'last-modified'),
    permanentUrl: response.permanentUrl,
  };
  const cacheControl = header(response.headers, 'cache-control');
  if (response.body === null) {
    const nextState = stateAfterSuccess(
      current,
      { now, changed: false, ...validators, hints: { cacheControl } },
      settings,
    );
    return { kind: 'not_modified', nextState };
  }
  const parsed = await parseChangedDocument(response, response.body, current, settings);
  const hints = { cacheControl, ttlMinutes: parsed.feed.ttlMinutes };
  const { websubHub: _previousHub, ...polled } = stateAfterSuccess(
    current,
    { now, changed: true, ...validators, hints },
    settings,
  );
  // The hub the document names now (none: the feed stopped announcing one), for the poller's WebSub upkeep.
  const websubHub = hubOfPolledDocument({
    feedUrl: response.finalUrl,
    linkHeader: response.headers.link,
    body: response.body,
    contentType: header(response.headers, 'content-type'),
  });
  const nextState = { ...polled, seenEntryDigests: parsed.entryDigests, ...(websubHub ? { websubHub } : {}) };
  return {
    kind: 'changed',
    items: parsed.items.map((item) => boundPublishedTime(item, now)),
    skippedItems: parsed.skippedItems,
    unchangedItems: parsed.unchangedEntries,
    nextState,
  };
}

/** Parses a changed body, refusing a cut-off document; every failure keeps the URL the feed moved to. */
async function parseChangedDocument(
  response: FeedHttpResponse,
  body: Uint8Array,
  current: FeedState,
  settings: FetchOptions,
) {
  let parsed: Awaited<ReturnType<typeof parseFeedDocument>>;
  try {
    const contentType = header(response.headers, 'content-type');
    const seen = new Set(current.seenEntryDigests ?? []);
    parsed = await parseFeedDocument(body, contentType, response.finalUrl, settings, seen);
  } catch (error) {
    // The URL still moved even though this document was unusable.
    // Anything unclassified thrown while parsing is still about the document, not the network.
    const kind = error instanceof FeedError ? error.kind : 'parse';
    throw new FeedError(kind, (error as Error).message, { permanentUrl: response.permanentUrl });
  }
  const truncation = truncationOf(parsed.ending, current.seenEntryDigests?.length ?? null);
  if (truncation !== null) {
    throw new FeedError('truncated', truncation, { permanentUrl: response.permanentUrl });
  }
  return parsed;
}

/** Any failure of a fetch, classified, with the state that backs the feed off (or follows where it moved). */
function failedOutcome(error: unknown, current: FeedState, now: Date, settings: FetchOptions): FetchOutcome {
  const classified = classifyError(error);
  const details = error instanceof FeedError ? error.details : {};
  const nextState = stateAfterFailure(
    current,
    {
      now,
      error: classified,
      httpStatus: details.httpStatus,
      retryAfter: details.retryAfter,
      permanentUrl: details.permanentUrl,
    },
    settings,
  );
  return { kind: 'failed', error: classified, nextState };
}
