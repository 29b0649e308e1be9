import { describe, expect, it } from 'vitest';
import { websubCallbackBase } from '../../../src/config/env';
import { feedScheduleSettings, resumePollingAt, scheduleNextPoll } from '../../../src/ingestion/feed-schedule';
import {
  answerVerification,
  DEFAULT_WEBSUB_CONFIG,
  deliveryRefused,
  renewalRequested,
  requestSubscription,
  type Subscription,
} from '../../../src/websub/subscription';
import { shouldSubscribe, upkeepDueAt, upkeepStep } from '../../../src/websub/upkeep';

const NOW = new Date('2026-06-01T08:00:00Z');
const at = (seconds: number) => new Date(NOW.getTime() + seconds * 1000);
const FOUND = { hub: 'https://hub.example/', topic: 'https://news.example/rss.xml' };

const requested = (now = NOW) => requestSubscription({ id: 'sub-1', feedId: 'news', ...FOUND, now });

function verified(leaseSeconds: number, now = NOW): Subscription {
  const query = new URLSearchParams({
    'hub.mode': 'subscribe',
    'hub.topic': FOUND.topic,
    'hub.challenge': 'c',
    'hub.lease_seconds': String(leaseSeconds),
  });
  const { next } = answerVerification(requested(now), query, now);
  if (!next) throw new Error('verification refused');
  return next;
}

describe('shouldSubscribe, after a poll that found a hub', () => {
  it('asks a hub for a feed with no subscription, and not while one pushes or awaits verification', () => {
    expect(shouldSubscribe(undefined, FOUND, NOW)).toBe(true);
    expect(shouldSubscribe(requested(), FOUND, at(60))).toBe(false);
    expect(shouldSubscribe(verified(86_400), FOUND, at(3600))).toBe(false);
  });

  it('asks again when the verification is overdue, the lease lapsed, or the feed names another hub', () => {
    expect(shouldSubscribe(requested(), FOUND, at(DEFAULT_WEBSUB_CONFIG.verifyTimeoutSec + 1))).toBe(true);
    expect(shouldSubscribe(verified(3600), FOUND, at(3600))).toBe(true);
    expect(shouldSubscribe(verified(86_400), { ...FOUND, hub: 'https://other-hub.example/' }, at(60))).toBe(true);
  });

  it('asks a hub that failed or denied us only once resubscribeAfterSec has passed', () => {
    let failed = verified(86_400);
    for (let strike = 0; strike < DEFAULT_WEBSUB_CONFIG.maxStrikes; strike += 1) {
      failed = deliveryRefused(failed, 'signature mismatch');
    }
    expect(failed.status).toBe('failed');
    expect(shouldSubscribe(failed, FOUND, at(3600))).toBe(false);
    expect(shouldSubscribe(failed, FOUND, at(DEFAULT_WEBSUB_CONFIG.resubscribeAfterSec))).toBe(true);
    const denied = { ...requested(), status: 'denied' as const };
    expect(shouldSubscribe(denied, FOUND, at(60))).toBe(false);
  });
});

describe('the upkeep of one subscription', () => {
  it('renews within the margin (half of a short lease), and is due exactly then', () => {
    const day = verified(86_400);
    expect(upkeepDueAt(day)).toBe(at(86_400 - DEFAULT_WEBSUB_CONFIG.renewBeforeSec).toISOString());
    expect(upkeepStep(day, at(86_400 - DEFAULT_WEBSUB_CONFIG.renewBeforeSec - 1)).kind).toBe('none');
    expect(upkeepStep(day, at(86_400 - DEFAULT_WEBSUB_CONFIG.renewBeforeSec)).kind).toBe('renew');
    const short = verified(600);
    expect(upkeepDueAt(short)).toBe(at(300).toISOString());
    expect(upkeepStep(short, at(300)).kind).toBe('renew');
  });

  it('after a renewal went out, is due when the verification is overdue or the lease ends, whichever first', () => {
    const renewing = renewalRequested(verified(3600), at(1800));
    expect(upkeepDueAt(renewing)).toBe(
      new Date(at(1800 + DEFAULT_WEBSUB_CONFIG.verifyTimeoutSec).getTime() + 1).toISOString(),
    );
    expect(upkeepStep(renewing, at(1900)).kind).toBe('none');
    const late = renewalRequested(verified(3600), at(3500));
    expect(upkeepDueAt(late)).toBe(at(3600).toISOString());
    expect(upkeepStep(late, at(3600))).toEqual({ kind: 'give-up', note: expect.stringContaining('lease lapsed') });
  });

  it('gives up on a hub that never verified, and puts a feed that stopped pushing back on polling once', () => {
    const waiting = requested();
    expect(upkeepStep(waiting, at(DEFAULT_WEBSUB_CONFIG.verifyTimeoutSec)).kind).toBe('none');
    expect(upkeepStep(waiting, at(DEFAULT_WEBSUB_CONFIG.verifyTimeoutSec + 1))).toEqual({
      kind: 'give-up',
      note: 'hub never verified the subscription',
    });
    const denied: Subscription = { ...waiting, status: 'denied' };
    expect(upkeepStep(denied, NOW).kind).toBe('resume-polling');
    expect(upkeepDueAt(denied)).toBe(NOW.toISOString());
    const fallenBack = { ...denied, fallbackAt: at(60).toISOString() };
    expect(upkeepStep(fallenBack, at(120)).kind).toBe('none');
    expect(upkeepDueAt(fallenBack)).toBeNull();
  });
});

describe('a pushed feed’s poll', () => {
  it('is only a safety net: its next poll waits the longest interval, and politeness still wins beyond it', () => {
    const settings = feedScheduleSettings([
      { id: 'news', url: FOUND.topic, name: 'n', publisher: 'p', language: 'en' },
    ]);
    const polled = {
      feedId: 'news',
      url: FOUND.topic,
      etag: null,
      lastModified: null,
      nextPollAt: at(900).toISOString(),
      consecutiveFailures: 0,
      status: 'active' as const,
      lastError: null,
      lastPolledAt: NOW.toISOString(),
      lastSuccessAt: NOW.toISOString(),
    };
    const signals = { newItems: 3, followUps: 0, storyHeat: 0 };
    const own = scheduleNextPoll(null, polled, signals, settings);
    const pushed = scheduleNextPoll(null, polled, { ...signals, pushed: true }, settings);
    expect(own.nextPollAt).toBe(at(settings.schedule.initialIntervalSec).toISOString());
    expect(pushed.nextPollAt).toBe(at(settings.schedule.maxIntervalSec).toISOString());
    expect(pushed.schedule).toEqual(own.schedule);
  });
});

describe('resuming the polls of a feed that stopped pushing', () => {
  const settings = feedScheduleSettings([{ id: 'news', url: FOUND.topic, name: 'n', publisher: 'p', language: 'en' }]);
  const answered = {
    feedId: 'news',
    url: FOUND.topic,
    etag: null,
    lastModified: null,
    nextPollAt: at(7200).toISOString(),
    consecutiveFailures: 0,
    status: 'active' as const,
    lastError: null,
    lastPolledAt: NOW.toISOString(),
    lastSuccessAt: NOW.toISOString(),
  };

  it('polls at once, but not before the TTL the last answer asked for', () => {
    expect(resumePollingAt(answered, at(60), settings)).toBe(at(60).toISOString());
    const withTtl = { ...answered, freshness: { ttlMinutes: 30, cacheControl: null } };
    expect(resumePollingAt(withTtl, at(60), settings)).toBe(at(1800).toISOString());
    expect(resumePollingAt(withTtl, at(3600), settings)).toBe(at(3600).toISOString());
  });

  it('leaves a feed in failure backoff, parked or never polled where it is', () => {
    expect(resumePollingAt({ ...answered, consecutiveFailures: 2 }, at(60), settings)).toBeNull();
    expect(resumePollingAt({ ...answered, status: 'parked' }, at(60), settings)).toBeNull();
    expect(resumePollingAt(null, at(60), settings)).toBe(at(60).toISOString());
  });
});

describe('the callback base the stack names', () => {
  it('takes an https URL with a path and refuses anything else', () => {
    const base = 'https://abc.lambda-url.eu-west-1.on.aws/websub';
    expect(websubCallbackBase({ STORYWATCH_WEBSUB_CALLBACK_BASE: base })).toBe(base);
    expect(() => websubCallbackBase({ STORYWATCH_WEBSUB_CALLBACK_BASE: 'http://127.0.0.1:8080/websub' })).toThrow(
      /https URL/,
    );
    expect(() => websubCallbackBase({})).toThrow(/STORYWATCH_WEBSUB_CALLBACK_BASE/);
  });
});
