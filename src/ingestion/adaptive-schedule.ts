/**
 * Adaptive poll intervals: how long to wait before polling a feed again, from what the feed does. Pure: the caller
 * passes the feed's schedule memory, what the last poll found and the story's heat, and stores what comes back.
 *
 * Three signals shorten the interval: the feed's observed publishing rate (new items per hour, exponentially
 * decayed so yesterday's burst fades), whether it carried a follow-up recently (hot), and the story's heat
 * (follow-ups per hour across all feeds; at summit heat hot feeds go to the minimum). A feed that stays quiet
 * backs off step by step toward the maximum. The result is then raised to the politeness floor (RSS <ttl>,
 * Cache-Control max-age, the per-feed minimum), which always wins over the wish to be early.
 */
import type { FeedScheduleMemory } from '../core/feed';
import { parseCacheMaxAge } from './politeness';

export interface AdaptiveScheduleConfig {
  /** Shortest interval of all: hot feeds on a summit day. Default 120 s. */
  minIntervalSec: number;
  /** A hot feed (a follow-up within `hotWindowSec`) waits at most this long. Default 240 s. */
  hotIntervalSec: number;
  /** How long a follow-up keeps its feed hot. Default 3 h. */
  hotWindowSec: number;
  /**
   * Quiet feeds back off toward this; it sets how stale a slow feed may get (its items wait about a third of it).
   * Default 1 h: 2 h halved the requests of slow feeds again but left a quiet official feed's statement waiting
   * 40 minutes at the median (simulated day: slow feeds p50 2,308 s at 2 h, 1,579 s at 1 h; fixed polling 469 s).
   */
  maxIntervalSec: number;
  /** Before anything is known about a feed. Default 900 s, the old fixed interval. */
  initialIntervalSec: number;
  /** The rate-based interval aims at this many new items per poll. Default 0.35. */
  targetItemsPerPoll: number;
  /** Half-life of the observed publishing rate. Default 6 h. */
  rateHalfLifeSec: number;
  /** Story heat (follow-ups per hour, all feeds) from which hot feeds poll at `minIntervalSec`. Default 4. */
  summitFollowUpsPerHour: number;
  /** An interval grows by at most this factor per poll, so a quiet spell backs off gradually. Default 1.5. */
  backoffFactor: number;
  /** Requests per host in any sliding hour, all of its feeds together (see host-budget.ts). Default 120. */
  hostRequestsPerHour: number;
  /**
   * Share of each window of the shared host budget kept for hot feeds (core/host-budget.ts), so on a busy host the
   * feeds carrying the story are polled first. Default 0.25.
   */
  hostHotShare: number;
}

export const DEFAULT_ADAPTIVE_SCHEDULE: Readonly<AdaptiveScheduleConfig> = Object.freeze({
  minIntervalSec: 120,
  hotIntervalSec: 240,
  hotWindowSec: 3 * 3600,
  maxIntervalSec: 3600,
  initialIntervalSec: 900,
  targetItemsPerPoll: 0.35,
  rateHalfLifeSec: 6 * 3600,
  summitFollowUpsPerHour: 4,
  backoffFactor: 1.5,
  hostRequestsPerHour: 120,
  hostHotShare: 0.25,
});

/** Checks a partial config on top of the defaults; every problem is reported at once. */
export function resolveAdaptiveSchedule(overrides: Partial<AdaptiveScheduleConfig> = {}): AdaptiveScheduleConfig {
  const config: AdaptiveScheduleConfig = { ...DEFAULT_ADAPTIVE_SCHEDULE };
  for (const [key, value] of Object.entries(overrides)) {
    if (value !== undefined) (config as unknown as Record<string, number>)[key] = value;
  }
  const problems = Object.entries(config)
    .filter(([, value]) => typeof value !== 'number' || !Number.isFinite(value) || value <= 0)
    .map(([key]) => `${key} must be a positive number`);
  if (config.minIntervalSec > config.hotIntervalSec) problems.push('minIntervalSec must not exceed hotIntervalSec');
  if (config.hotIntervalSec > config.maxIntervalSec) problems.push('hotIntervalSec must not exceed maxIntervalSec');
  if (config.backoffFactor < 1) problems.push('backoffFactor must be at least 1');
  if (config.hostHotShare >= 1) problems.push('hostHotShare must be below 1');
  // The shared budget counts in windows, and a sliding hour overlaps two of them at least (core/host-budget.ts).
  if (config.hostRequestsPerHour < 2) problems.push('hostRequestsPerHour must be at least 2');
  if (problems.length > 0) throw new RangeError(`adaptive schedule: ${problems.join('; ')}`);
  return config;
}

export type { FeedScheduleMemory };

/** What the publisher asked of us on the last successful response. */
export interface PolitenessHints {
  /** RSS <ttl>, minutes. */
  ttlMinutes?: number | null;
  cacheControl?: string | null;
  /** This feed's own minimum interval, seconds (registry or operator setting). */
  feedMinimumSec?: number | null;
  /** Hints are honoured up to this long (the politeness maximum, 6 h by default), so a 1-day TTL is not a day. */
  hintCeilingSec?: number;
}

export interface ScheduleObservation {
  now: Date;
  /** New items the poll found (entries never seen before). */
  newItems: number;
  /** Of those, items that were follow-ups of a tracked story. */
  followUps: number;
  /** Follow-ups per hour across all feeds right now. */
  storyHeat: number;
  hints: PolitenessHints;
}

export interface ScheduleDecision {
  intervalSec: number;
  memory: FeedScheduleMemory;
  /** Which rule set the interval, for logs and the bench. */
  reason: 'initial' | 'rate' | 'backoff' | 'hot' | 'summit' | 'politeness';
}

/** Seconds the publisher asked us to wait at least: the longest of its hints and the feed's own minimum. */
export function politenessFloorSec(hints: PolitenessHints): number {
  const ceiling = hints.hintCeilingSec ?? Number.POSITIVE_INFINITY;
  const candidates = [0];
  if (hints.ttlMinutes != null && hints.ttlMinutes > 0) candidates.push(Math.min(hints.ttlMinutes * 60, ceiling));
  const maxAge = parseCacheMaxAge(hints.cacheControl);
  if (maxAge !== null) candidates.push(Math.min(maxAge, ceiling));
  if (hints.feedMinimumSec != null && hints.feedMinimumSec > 0) candidates.push(hints.feedMinimumSec);
  return Math.max(...candidates);
}

/** Items per hour the feed publishes, as far as we have watched it; null before any interval was observed. */
export function observedRatePerHour(memory: FeedScheduleMemory | undefined): number | null {
  if (!memory || memory.decayedHours <= 0) return null;
  return memory.decayedItems / memory.decayedHours;
}

function observe(
  memory: FeedScheduleMemory | undefined,
  observation: ScheduleObservation,
  config: AdaptiveScheduleConfig,
): FeedScheduleMemory {
  const nowIso = observation.now.toISOString();
  const followUpAt = observation.followUps > 0 ? nowIso : (memory?.lastFollowUpAt ?? null);
  if (!memory) {
    // The first poll sees the feed's whole backlog, not what it published since: no rate can be read from it.
    return {
      decayedItems: 0,
      decayedHours: 0,
      observedAt: nowIso,
      lastFollowUpAt: followUpAt,
      intervalSec: config.initialIntervalSec,
    };
  }
  const elapsedSec = Math.max(0, (observation.now.getTime() - Date.parse(memory.observedAt)) / 1000);
  const decay = 0.5 ** (elapsedSec / config.rateHalfLifeSec);
  return {
    decayedItems: memory.decayedItems * decay + observation.newItems,
    decayedHours: memory.decayedHours * decay + elapsedSec / 3600,
    observedAt: nowIso,
    lastFollowUpAt: followUpAt,
    intervalSec: memory.intervalSec,
  };
}

/** Whether the feed carried a follow-up within the hot window. */
export function isHot(memory: FeedScheduleMemory | undefined, now: Date, config: AdaptiveScheduleConfig): boolean {
  if (!memory || memory.lastFollowUpAt === null) return false;
  return now.getTime() - Date.parse(memory.lastFollowUpAt) <= config.hotWindowSec * 1000;
}

/** The interval the feed's own behaviour asks for, before politeness. */
function wantedInterval(
  previous: FeedScheduleMemory | undefined,
  memory: FeedScheduleMemory,
  observation: ScheduleObservation,
  config: AdaptiveScheduleConfig,
): Pick<ScheduleDecision, 'intervalSec' | 'reason'> {
  if (isHot(memory, observation.now, config)) {
    return observation.storyHeat >= config.summitFollowUpsPerHour
      ? { intervalSec: config.minIntervalSec, reason: 'summit' }
      : { intervalSec: config.hotIntervalSec, reason: 'hot' };
  }
  const rate = observedRatePerHour(memory);
  if (previous === undefined || rate === null) return { intervalSec: config.initialIntervalSec, reason: 'initial' };
  const byRate = rate > 0 ? (config.targetItemsPerPoll / rate) * 3600 : config.maxIntervalSec;
  const grown = previous.intervalSec * config.backoffFactor;
  const bounded = Math.min(Math.max(byRate, config.minIntervalSec), config.maxIntervalSec);
  return bounded > grown ? { intervalSec: grown, reason: 'backoff' } : { intervalSec: bounded, reason: 'rate' };
}

/**
 * The next interval of a feed after a successful poll, and the memory to store with its state. Failures keep
 * their own backoff (politeness.ts, Retry-After included); this is only consulted when the feed answered.
 */
export function nextPollInterval(
  memory: FeedScheduleMemory | undefined,
  observation: ScheduleObservation,
  config: AdaptiveScheduleConfig = DEFAULT_ADAPTIVE_SCHEDULE,
): ScheduleDecision {
  const updated = observe(memory, observation, config);
  const wanted = wantedInterval(memory, updated, observation, config);
  const floor = politenessFloorSec(observation.hints);
  const decision = floor > wanted.intervalSec ? { intervalSec: floor, reason: 'politeness' as const } : { ...wanted };
  // Remember what the feed asked for, not the politeness floor, so a dropped max-age lets it speed up at once.
  return { ...decision, memory: { ...updated, intervalSec: wanted.intervalSec } };
}
