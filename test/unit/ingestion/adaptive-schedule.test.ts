import { describe, expect, it } from 'vitest';
import {
  DEFAULT_ADAPTIVE_SCHEDULE,
  type FeedScheduleMemory,
  nextPollInterval,
  observedRatePerHour,
  politenessFloorSec,
  resolveAdaptiveSchedule,
  type ScheduleObservation,
} from '../../../src/ingestion/adaptive-schedule';

const START = Date.parse('2026-05-04T06:00:00Z');
const at = (minutes: number) => new Date(START + minutes * 60_000);
const quiet = (minutes: number, extra: Partial<ScheduleObservation> = {}): ScheduleObservation => ({
  now: at(minutes),
  newItems: 0,
  followUps: 0,
  storyHeat: 0,
  hints: {},
  ...extra,
});

/** Polls a feed at the intervals the scheduler picks, `items(minute)` new items each time; returns the decisions. */
function follow(polls: number, items: (minute: number) => number, extra: Partial<ScheduleObservation> = {}) {
  let memory: FeedScheduleMemory | undefined;
  let minute = 0;
  const decisions = [];
  for (let poll = 0; poll < polls; poll += 1) {
    const decision = nextPollInterval(memory, quiet(minute, { newItems: items(minute), ...extra }));
    decisions.push(decision);
    memory = decision.memory;
    minute += decision.intervalSec / 60;
  }
  return decisions;
}

describe('nextPollInterval', () => {
  it('starts at the initial interval, since a first poll shows the backlog, not a rate', () => {
    const first = nextPollInterval(undefined, quiet(0, { newItems: 40 }));
    expect(first.intervalSec).toBe(DEFAULT_ADAPTIVE_SCHEDULE.initialIntervalSec);
    expect(first.reason).toBe('initial');
    expect(observedRatePerHour(first.memory)).toBeNull();
  });

  it('backs a quiet feed off gradually, toward and never beyond the maximum', () => {
    const intervals = follow(20, () => 0).map((decision) => decision.intervalSec);
    for (let index = 1; index < intervals.length; index += 1) {
      const previous = intervals[index - 1] as number;
      const current = intervals[index] as number;
      expect(current).toBeGreaterThanOrEqual(previous);
      expect(current).toBeLessThanOrEqual(previous * DEFAULT_ADAPTIVE_SCHEDULE.backoffFactor + 1e-9);
    }
    expect(intervals.at(-1)).toBe(DEFAULT_ADAPTIVE_SCHEDULE.maxIntervalSec);
  });

  it('polls a busy feed often enough to find the target share of an item per poll', () => {
    // Six items an hour: at the target share per poll, the interval is target / 6 hours.
    let decision = nextPollInterval(undefined, quiet(0, { newItems: 30 }));
    let minute = 0;
    for (let poll = 0; poll < 40; poll += 1) {
      const interval = decision.intervalSec;
      minute += interval / 60;
      decision = nextPollInterval(decision.memory, quiet(minute, { newItems: (interval / 3600) * 6 }));
    }
    expect(observedRatePerHour(decision.memory)).toBeCloseTo(6, 1);
    expect(decision.reason).toBe('rate');
    expect(decision.intervalSec).toBeCloseTo((DEFAULT_ADAPTIVE_SCHEDULE.targetItemsPerPoll / 6) * 3600, 0);
  });

  it('lets an old burst fade: the rate decays with the configured half-life', () => {
    const burst = nextPollInterval(
      { decayedItems: 0, decayedHours: 1, observedAt: at(0).toISOString(), lastFollowUpAt: null, intervalSec: 900 },
      quiet(60, { newItems: 20 }),
    );
    const rateAfterBurst = observedRatePerHour(burst.memory) as number;
    const later = nextPollInterval(burst.memory, quiet(60 + 12 * 60));
    expect(observedRatePerHour(later.memory)).toBeLessThan(rateAfterBurst / 3);
  });

  it('keeps a feed hot for the hot window after a follow-up, then lets it back off', () => {
    const memory: FeedScheduleMemory = {
      decayedItems: 0,
      decayedHours: 24,
      observedAt: at(0).toISOString(),
      lastFollowUpAt: null,
      intervalSec: 4 * 3600,
    };
    const hot = nextPollInterval(memory, quiet(10, { newItems: 1, followUps: 1 }));
    expect(hot).toMatchObject({ reason: 'hot', intervalSec: DEFAULT_ADAPTIVE_SCHEDULE.hotIntervalSec });
    const stillHot = nextPollInterval(hot.memory, quiet(60));
    expect(stillHot.reason).toBe('hot');
    const cooled = nextPollInterval(stillHot.memory, quiet(10 + DEFAULT_ADAPTIVE_SCHEDULE.hotWindowSec / 60 + 1));
    expect(cooled.reason).not.toBe('hot');
    expect(cooled.intervalSec).toBeGreaterThan(DEFAULT_ADAPTIVE_SCHEDULE.hotIntervalSec);
  });

  it('goes to the minimum for hot feeds when the story is at summit heat, and only for hot feeds', () => {
    const memory = nextPollInterval(undefined, quiet(0)).memory;
    const summit = DEFAULT_ADAPTIVE_SCHEDULE.summitFollowUpsPerHour;
    const hot = nextPollInterval(memory, quiet(15, { newItems: 1, followUps: 1, storyHeat: summit }));
    expect(hot).toMatchObject({ reason: 'summit', intervalSec: DEFAULT_ADAPTIVE_SCHEDULE.minIntervalSec });
    const cold = nextPollInterval(memory, quiet(15, { storyHeat: summit * 3 }));
    expect(cold.intervalSec).toBeGreaterThan(DEFAULT_ADAPTIVE_SCHEDULE.hotIntervalSec);
  });

  it('never polls sooner than TTL, Cache-Control max-age or the feed minimum allow, even when hot', () => {
    const memory = nextPollInterval(undefined, quiet(0)).memory;
    const hot = { newItems: 3, followUps: 1, storyHeat: 10 };
    expect(nextPollInterval(memory, quiet(5, { ...hot, hints: { ttlMinutes: 30 } })).intervalSec).toBe(1800);
    expect(nextPollInterval(memory, quiet(5, { ...hot, hints: { cacheControl: 'max-age=700' } }))).toMatchObject({
      intervalSec: 700,
      reason: 'politeness',
    });
    expect(nextPollInterval(memory, quiet(5, { ...hot, hints: { feedMinimumSec: 600 } })).intervalSec).toBe(600);
  });

  it('caps a publisher hint at the hint ceiling, but never the feed minimum', () => {
    const memory = nextPollInterval(undefined, quiet(0)).memory;
    const hints = { ttlMinutes: 24 * 60, hintCeilingSec: 6 * 3600 };
    expect(nextPollInterval(memory, quiet(5, { hints })).intervalSec).toBe(6 * 3600);
    expect(politenessFloorSec({ feedMinimumSec: 8 * 3600, hintCeilingSec: 3600 })).toBe(8 * 3600);
  });

  it('speeds up again as soon as a max-age disappears: it remembers the wish, not the floor', () => {
    const memory = nextPollInterval(undefined, quiet(0)).memory;
    const held = nextPollInterval(
      memory,
      quiet(5, { followUps: 1, newItems: 1, hints: { cacheControl: 'max-age=3600' } }),
    );
    expect(held.intervalSec).toBe(3600);
    const freed = nextPollInterval(held.memory, quiet(65));
    expect(freed.intervalSec).toBe(DEFAULT_ADAPTIVE_SCHEDULE.hotIntervalSec);
  });
});

describe('resolveAdaptiveSchedule', () => {
  it('takes overrides on top of the defaults', () => {
    expect(resolveAdaptiveSchedule({ maxIntervalSec: 7200 })).toEqual({
      ...DEFAULT_ADAPTIVE_SCHEDULE,
      maxIntervalSec: 7200,
    });
  });

  it('refuses a host budget the shared windows cannot hold, and a hot share of the whole window', () => {
    expect(() => resolveAdaptiveSchedule({ hostRequestsPerHour: 1, hostHotShare: 1 })).toThrow(
      /hostHotShare must be below 1.*hostRequestsPerHour must be at least 2/,
    );
  });

  it('reports every bad threshold at once', () => {
    expect(() => resolveAdaptiveSchedule({ minIntervalSec: 0, hotIntervalSec: 9e9, backoffFactor: 0.5 })).toThrow(
      /minIntervalSec must be a positive number.*hotIntervalSec must not exceed maxIntervalSec.*backoffFactor/,
    );
  });
});
