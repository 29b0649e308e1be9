import type { ClassifiedError, FeedDefinition, FeedState } from '../core/feed';
import type { FetchOptions } from './options';

export type PolitenessOptions = Pick<
  FetchOptions,
  'minPollIntervalSec' | 'maxPollIntervalSec' | 'defaultPollIntervalSec' | 'maxBackoffSec' | 'parkAfterFailures'
>;

export function initialFeedState(feed: FeedDefinition, now: Date): FeedState {
  return {
    feedId: feed.id,
    url: feed.url,
    etag: null,
    lastModified: null,
    nextPollAt: now.toISOString(),
    consecutiveFailures: 0,
    status: 'active',
    lastError: null,
    lastPolledAt: null,
    lastSuccessAt: null,
  };
}

/** Parked and gone feeds wait for a person (a registry edit or a state reset); they are never due. */
export function isFeedDue(state: FeedState, now: Date): boolean {
  if (state.status !== 'active') return false;
  const next = Date.parse(state.nextPollAt);
  return Number.isNaN(next) || next <= now.getTime();
}

/** Retry-After as seconds from now: either delta-seconds or an HTTP-date. Null when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, now: Date): number | null {
  const text = value?.trim();
  if (!text) return null;
  if (/^\d+$/.test(text)) return Number(text);
  const at = Date.parse(text);
  if (Number.isNaN(at)) return null;
  return Math.max(0, Math.ceil((at - now.getTime()) / 1000));
}

/** max-age of a Cache-Control header; null when absent or when the response says not to reuse it. */
export function parseCacheMaxAge(cacheControl: string | null | undefined): number | null {
  if (!cacheControl) return null;
  const directives = cacheControl
    .toLowerCase()
    .split(',')
    .map((part) => part.trim());
  if (directives.includes('no-store') || directives.includes('no-cache')) return null;
  for (const directive of directives) {
    const match = /^max-age\s*=\s*"?(\d+)"?$/.exec(directive);
    if (match) return Number(match[1]);
  }
  return null;
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(Math.max(value, low), high);
}

export interface FreshnessHints {
  /** RSS <ttl>, minutes. */
  ttlMinutes?: number | null;
  cacheControl?: string | null;
}

/** Seconds until the next poll after a success: the publisher's longest hint, else the default, within bounds. */
export function successIntervalSec(hints: FreshnessHints, options: PolitenessOptions): number {
  const candidates: number[] = [];
  if (hints.ttlMinutes != null && hints.ttlMinutes > 0) candidates.push(hints.ttlMinutes * 60);
  const maxAge = parseCacheMaxAge(hints.cacheControl);
  if (maxAge !== null) candidates.push(maxAge);
  const wanted = candidates.length > 0 ? Math.max(...candidates) : options.defaultPollIntervalSec;
  return clamp(wanted, options.minPollIntervalSec, options.maxPollIntervalSec);
}

/** Exponential backoff from the minimum interval, doubling per consecutive failure, capped. */
export function backoffIntervalSec(consecutiveFailures: number, options: PolitenessOptions): number {
  const exponent = Math.max(0, consecutiveFailures - 1);
  const delay = options.minPollIntervalSec * 2 ** Math.min(exponent, 30);
  return clamp(delay, options.minPollIntervalSec, options.maxBackoffSec);
}

function addSeconds(now: Date, seconds: number): string {
  return new Date(now.getTime() + seconds * 1000).toISOString();
}

export interface SuccessfulPoll {
  now: Date;
  /** false for a 304. */
  changed: boolean;
  etag: string | null;
  lastModified: string | null;
  permanentUrl: string | null;
  hints: FreshnessHints;
}

export function stateAfterSuccess(state: FeedState, poll: SuccessfulPoll, options: PolitenessOptions): FeedState {
  return {
    ...state,
    url: poll.permanentUrl ?? state.url,
    // A 304 may omit validators; the ones we sent are still the current ones.
    etag: poll.changed ? poll.etag : (poll.etag ?? state.etag),
    lastModified: poll.changed ? poll.lastModified : (poll.lastModified ?? state.lastModified),
    nextPollAt: addSeconds(poll.now, successIntervalSec(poll.hints, options)),
    // A 304 carries no document, so no <ttl>: the last document's still holds.
    freshness: {
      ttlMinutes: poll.hints.ttlMinutes ?? (poll.changed ? null : (state.freshness?.ttlMinutes ?? null)),
      cacheControl: poll.hints.cacheControl ?? null,
    },
    consecutiveFailures: 0,
    status: 'active',
    lastError: null,
    lastPolledAt: poll.now.toISOString(),
    lastSuccessAt: poll.now.toISOString(),
  };
}

export interface FailedPoll {
  now: Date;
  error: ClassifiedError;
  httpStatus?: number | undefined;
  retryAfter?: string | null | undefined;
  permanentUrl?: string | null | undefined;
}

const RETRY_AFTER_STATUSES = new Set([429, 503]);

export function stateAfterFailure(state: FeedState, poll: FailedPoll, options: PolitenessOptions): FeedState {
  const consecutiveFailures = state.consecutiveFailures + 1;
  let delay = backoffIntervalSec(consecutiveFailures, options);
  if (poll.httpStatus !== undefined && RETRY_AFTER_STATUSES.has(poll.httpStatus)) {
    const retryAfter = parseRetryAfter(poll.retryAfter, poll.now);
    if (retryAfter !== null)
      delay = clamp(Math.max(delay, retryAfter), options.minPollIntervalSec, options.maxBackoffSec);
  }
  const status =
    poll.httpStatus === 410 ? 'gone' : consecutiveFailures >= options.parkAfterFailures ? 'parked' : 'active';
  return {
    ...state,
    url: poll.permanentUrl ?? state.url,
    nextPollAt: addSeconds(poll.now, delay),
    consecutiveFailures,
    status,
    lastError: { ...poll.error, at: poll.now.toISOString() },
    lastPolledAt: poll.now.toISOString(),
  };
}
