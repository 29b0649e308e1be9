import { describe, expect, it } from 'vitest';
import type { FeedState } from '../../../src/core/feed';
import {
  backoffIntervalSec,
  initialFeedState,
  isFeedDue,
  type PolitenessOptions,
  parseCacheMaxAge,
  parseRetryAfter,
  stateAfterFailure,
  stateAfterSuccess,
  successIntervalSec,
} from '../../../src/ingestion/politeness';

const NOW = new Date('2025-03-12T12:00:00.000Z');
const OPTIONS: PolitenessOptions = {
  minPollIntervalSec: 300,
  maxPollIntervalSec: 3600,
  defaultPollIntervalSec: 900,
  maxBackoffSec: 7200,
  parkAfterFailures: 5,
};
const FEED = { id: 'bbc', url: 'https://feeds.example/rss', name: 'BBC', publisher: 'BBC', language: 'en' };
const secondsUntil = (iso: string) => (Date.parse(iso) - NOW.getTime()) / 1000;

describe('parseRetryAfter', () => {
  it('reads delta-seconds and HTTP-dates, and ignores garbage', () => {
    expect(parseRetryAfter('120', NOW)).toBe(120);
    expect(parseRetryAfter('Wed, 12 Mar 2025 12:30:00 GMT', NOW)).toBe(1800);
    expect(parseRetryAfter('Wed, 12 Mar 2025 11:00:00 GMT', NOW)).toBe(0);
    expect(parseRetryAfter('soon', NOW)).toBeNull();
    expect(parseRetryAfter(null, NOW)).toBeNull();
  });
});

describe('parseCacheMaxAge', () => {
  it('reads max-age and ignores responses that must not be reused', () => {
    expect(parseCacheMaxAge('public, max-age=600')).toBe(600);
    expect(parseCacheMaxAge('max-age=600, no-store')).toBeNull();
    expect(parseCacheMaxAge('private')).toBeNull();
  });
});

describe('successIntervalSec', () => {
  it('uses the default without hints and the longest hint otherwise, within the bounds', () => {
    expect(successIntervalSec({}, OPTIONS)).toBe(900);
    expect(successIntervalSec({ ttlMinutes: 20, cacheControl: 'max-age=60' }, OPTIONS)).toBe(1200);
    expect(successIntervalSec({ cacheControl: 'max-age=10' }, OPTIONS)).toBe(300);
    expect(successIntervalSec({ ttlMinutes: 1440 }, OPTIONS)).toBe(3600);
  });
});

describe('backoffIntervalSec', () => {
  it('doubles per consecutive failure up to the cap', () => {
    expect([1, 2, 3, 4, 5, 50].map((failures) => backoffIntervalSec(failures, OPTIONS))).toEqual([
      300, 600, 1200, 2400, 4800, 7200,
    ]);
  });
});

describe('isFeedDue', () => {
  it('is due once the next poll time has come, and never while parked or gone', () => {
    const state = initialFeedState(FEED, NOW);
    expect(isFeedDue(state, NOW)).toBe(true);
    expect(isFeedDue({ ...state, nextPollAt: '2025-03-12T12:00:01.000Z' }, NOW)).toBe(false);
    expect(isFeedDue({ ...state, status: 'parked' }, NOW)).toBe(false);
    expect(isFeedDue({ ...state, status: 'gone' }, NOW)).toBe(false);
  });
});

describe('state transitions', () => {
  const failing: FeedState = {
    ...initialFeedState(FEED, NOW),
    etag: '"old"',
    consecutiveFailures: 2,
    lastError: { kind: 'timeout', message: 'slow', at: '2025-03-12T11:00:00.000Z' },
  };

  it('clears failures on success and keeps the sent validators when a 304 omits them', () => {
    const next = stateAfterSuccess(
      failing,
      { now: NOW, changed: false, etag: null, lastModified: null, permanentUrl: null, hints: {} },
      OPTIONS,
    );
    expect(next).toMatchObject({ etag: '"old"', consecutiveFailures: 0, lastError: null, status: 'active' });
    expect(next.lastSuccessAt).toBe(NOW.toISOString());
  });

  it('replaces validators and the URL after a changed response behind a permanent redirect', () => {
    const next = stateAfterSuccess(
      failing,
      { now: NOW, changed: true, etag: null, lastModified: 'x', permanentUrl: 'https://new.example/rss', hints: {} },
      OPTIONS,
    );
    expect(next).toMatchObject({ etag: null, lastModified: 'x', url: 'https://new.example/rss' });
  });

  it('only honours Retry-After on 429 and 503', () => {
    const error = { kind: 'http_status' as const, message: 'HTTP' };
    const rateLimited = stateAfterFailure(failing, { now: NOW, error, httpStatus: 429, retryAfter: '5000' }, OPTIONS);
    expect(secondsUntil(rateLimited.nextPollAt)).toBe(5000);
    const serverError = stateAfterFailure(failing, { now: NOW, error, httpStatus: 500, retryAfter: '5000' }, OPTIONS);
    expect(secondsUntil(serverError.nextPollAt)).toBe(1200);
  });

  it('bounds an honoured Retry-After by the backoff cap', () => {
    const next = stateAfterFailure(
      failing,
      { now: NOW, error: { kind: 'http_status', message: 'HTTP 503' }, httpStatus: 503, retryAfter: '999999' },
      OPTIONS,
    );
    expect(secondsUntil(next.nextPollAt)).toBe(7200);
  });

  it('parks the feed at the failure threshold with the last error kept', () => {
    const almost = { ...failing, consecutiveFailures: 4 };
    const next = stateAfterFailure(almost, { now: NOW, error: { kind: 'network', message: 'reset' } }, OPTIONS);
    expect(next).toMatchObject({
      status: 'parked',
      consecutiveFailures: 5,
      lastError: { kind: 'network', message: 'reset', at: NOW.toISOString() },
    });
  });

  it('marks the feed gone on 410 at the first failure', () => {
    const next = stateAfterFailure(
      initialFeedState(FEED, NOW),
      { now: NOW, error: { kind: 'http_status', message: 'HTTP 410' }, httpStatus: 410 },
      OPTIONS,
    );
    expect(next.status).toBe('gone');
  });
});
