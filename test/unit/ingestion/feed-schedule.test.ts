import { describe, expect, it } from 'vitest';
import type { FeedDefinition, FeedState } from '../../../src/core/feed';
import { DEFAULT_ADAPTIVE_SCHEDULE } from '../../../src/ingestion/adaptive-schedule';
import {
  feedScheduleSettings,
  hostShareSec,
  markFeedHot,
  scheduleNextPoll,
  storyHeatPerHour,
} from '../../../src/ingestion/feed-schedule';

const START = Date.parse('2026-05-04T06:00:00Z');
const at = (minutes: number) => new Date(START + minutes * 60_000).toISOString();
const feed = (id: string, host = 'news.example.org'): FeedDefinition => ({
  id,
  url: `https://${host}/${id}.xml`,
  name: id,
  publisher: host,
  language: 'en',
});

/** A state as the fetcher leaves it after a successful poll at `minutes`, due again after its fixed 15 minutes. */
function answered(minutes: number, extra: Partial<FeedState> = {}): FeedState {
  return {
    feedId: 'desk',
    url: 'https://news.example.org/desk.xml',
    etag: null,
    lastModified: null,
    nextPollAt: at(minutes + 15),
    consecutiveFailures: 0,
    status: 'active',
    lastError: null,
    lastPolledAt: at(minutes),
    lastSuccessAt: at(minutes),
    freshness: { ttlMinutes: null, cacheControl: null },
    ...extra,
  };
}

const settings = feedScheduleSettings([feed('desk')]);
const quiet = { newItems: 0, followUps: 0, storyHeat: 0 };
const minutesUntil = (state: FeedState, from: number) => (Date.parse(state.nextPollAt) - Date.parse(at(from))) / 60_000;

describe('scheduleNextPoll', () => {
  it('makes a feed with a fresh follow-up due after the hot interval, not the fixed one', () => {
    const first = scheduleNextPoll(null, answered(0), quiet, settings);
    const hot = scheduleNextPoll(first, answered(15), { newItems: 1, followUps: 1, storyHeat: 1 }, settings);
    expect(minutesUntil(hot, 15)).toBe(DEFAULT_ADAPTIVE_SCHEDULE.hotIntervalSec / 60);
    expect(hot.schedule?.lastFollowUpAt).toBe(at(15));
  });

  it('goes to the minimum on a summit day and carries the memory into the stored state', () => {
    const first = scheduleNextPoll(null, answered(0), quiet, settings);
    const summit = DEFAULT_ADAPTIVE_SCHEDULE.summitFollowUpsPerHour;
    const hot = scheduleNextPoll(first, answered(15), { newItems: 2, followUps: 1, storyHeat: summit }, settings);
    expect(minutesUntil(hot, 15)).toBe(DEFAULT_ADAPTIVE_SCHEDULE.minIntervalSec / 60);
    expect(hot.schedule?.decayedItems).toBeGreaterThan(0);
  });

  it('never polls a hot feed sooner than its RSS ttl, its max-age or its own minimum', () => {
    const first = scheduleNextPoll(null, answered(0), quiet, settings);
    const hot = { newItems: 1, followUps: 1, storyHeat: 10 };
    const ttl = scheduleNextPoll(
      first,
      answered(15, { freshness: { ttlMinutes: 20, cacheControl: null } }),
      hot,
      settings,
    );
    expect(minutesUntil(ttl, 15)).toBe(20);
    const maxAge = answered(15, { freshness: { ttlMinutes: null, cacheControl: 'public, max-age=600' } });
    expect(minutesUntil(scheduleNextPoll(first, maxAge, hot, settings), 15)).toBe(10);
    const ownMinimum = feedScheduleSettings([feed('desk')], { feedMinimumSec: { desk: 480 } });
    expect(minutesUntil(scheduleNextPoll(first, answered(15), hot, ownMinimum), 15)).toBe(8);
  });

  it("shares a host's hourly budget among its feeds", () => {
    const crowded = feedScheduleSettings(
      Array.from({ length: 30 }, (_, index) => feed(`section-${index}`)),
      { schedule: { ...DEFAULT_ADAPTIVE_SCHEDULE, hostRequestsPerHour: 60 } },
    );
    expect(hostShareSec('https://news.example.org/desk.xml', crowded)).toBe(1800);
    expect(hostShareSec('https://elsewhere.example.net/feed.xml', crowded)).toBe(60);
    const first = scheduleNextPoll(null, answered(0), quiet, crowded);
    const hot = scheduleNextPoll(first, answered(15), { newItems: 1, followUps: 1, storyHeat: 10 }, crowded);
    expect(minutesUntil(hot, 15)).toBe(30);
  });

  it("keeps the fetcher's backoff after a failure, and the schedule memory with it", () => {
    const first = scheduleNextPoll(null, answered(0), { newItems: 3, followUps: 1, storyHeat: 0 }, settings);
    const failed = answered(15, {
      consecutiveFailures: 1,
      lastSuccessAt: at(0),
      nextPollAt: at(75),
      lastError: { kind: 'http_status', message: '429', at: at(15) },
    });
    const next = scheduleNextPoll(first, failed, quiet, settings);
    expect(next.nextPollAt).toBe(at(75));
    expect(next.schedule).toEqual(first.schedule);
  });

  it('leaves parked feeds alone', () => {
    const parked = answered(15, { status: 'parked', consecutiveFailures: 5, lastSuccessAt: at(0), nextPollAt: at(99) });
    expect(scheduleNextPoll(null, parked, quiet, settings).nextPollAt).toBe(at(99));
  });
});

describe('storyHeatPerHour', () => {
  it('counts the feeds whose last follow-up is under an hour old', () => {
    const memory = (lastFollowUpAt: string | null) => ({
      decayedItems: 0,
      decayedHours: 1,
      observedAt: at(0),
      lastFollowUpAt,
      intervalSec: 900,
    });
    const states = [
      answered(0, { schedule: memory(at(90)) }),
      answered(0, { schedule: memory(at(20)) }),
      answered(0, { schedule: memory(null) }),
      answered(0),
    ];
    expect(storyHeatPerHour(states, new Date(at(100)))).toBe(1);
    expect(storyHeatPerHour(states, new Date(at(75)))).toBe(2);
  });
});

describe('markFeedHot (a follow-up confirmed after its poll)', () => {
  const polled = () => scheduleNextPoll(null, answered(0), quiet, settings);
  const { hotIntervalSec, minIntervalSec, summitFollowUpsPerHour } = DEFAULT_ADAPTIVE_SCHEDULE;

  it('moves the next poll to the last answer plus the hot interval and remembers the follow-up', () => {
    const hot = markFeedHot(polled(), { now: new Date(at(1)), storyHeat: 1 }, settings);
    expect(minutesUntil(hot, 0)).toBe(hotIntervalSec / 60);
    expect(hot.schedule).toMatchObject({ lastFollowUpAt: at(1), intervalSec: hotIntervalSec });
  });

  it('goes to the minimum at summit heat, and is due at once when that time has passed', () => {
    expect(
      minutesUntil(markFeedHot(polled(), { now: new Date(at(1)), storyHeat: summitFollowUpsPerHour }, settings), 0),
    ).toBe(minIntervalSec / 60);
    expect(markFeedHot(polled(), { now: new Date(at(9)), storyHeat: 1 }, settings).nextPollAt).toBe(at(9));
  });

  it('never goes under the politeness floor nor moves a feed in backoff or a later due time', () => {
    const cached = scheduleNextPoll(
      null,
      answered(0, { freshness: { ttlMinutes: null, cacheControl: 'max-age=600' } }),
      quiet,
      settings,
    );
    expect(minutesUntil(markFeedHot(cached, { now: new Date(at(1)), storyHeat: 9 }, settings), 0)).toBe(10);
    const failing = { ...polled(), consecutiveFailures: 2, nextPollAt: at(40) };
    expect(markFeedHot(failing, { now: new Date(at(1)), storyHeat: 9 }, settings).nextPollAt).toBe(at(40));
    const soon = { ...polled(), nextPollAt: at(2) };
    expect(markFeedHot(soon, { now: new Date(at(1)), storyHeat: 1 }, settings).nextPollAt).toBe(at(2));
  });

  it('gives the same state when applied again, and leaves parked feeds alone', () => {
    const once = markFeedHot(polled(), { now: new Date(at(1)), storyHeat: 1 }, settings);
    expect(markFeedHot(once, { now: new Date(at(1)), storyHeat: 1 }, settings)).toEqual(once);
    const parked = { ...polled(), status: 'parked' as const };
    expect(markFeedHot(parked, { now: new Date(at(1)), storyHeat: 9 }, settings)).toBe(parked);
  });
});
