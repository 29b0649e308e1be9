/**
 * The adaptive schedule applied to a polled feed's state: after each poll, the next due time comes from what the
 * feed does (adaptive-schedule.ts) inside politeness (TTL, Cache-Control, the per-feed minimum, and the host's
 * request budget: its share per feed, or the shared budget that admits each poll). Failed polls keep the fetcher's
 * own backoff, Retry-After included, and parked or gone feeds are left alone. Pure: the poller, the local cycle and
 * the bench call it with what they know and store the result.
 */
import type { FeedDefinition, FeedState } from '../core/feed';
import { hostOf } from '../core/host-budget';
import {
  type AdaptiveScheduleConfig,
  DEFAULT_ADAPTIVE_SCHEDULE,
  nextPollInterval,
  type PolitenessHints,
  politenessFloorSec,
} from './adaptive-schedule';

export interface FeedScheduleSettings {
  schedule: AdaptiveScheduleConfig;
  /** Hints are honoured up to this long, so a one-day TTL is not a day (the fetcher's maxPollIntervalSec). */
  hintCeilingSec: number;
  /** Each feed's own minimum interval, seconds, by feed id (operator setting). */
  feedMinimumSec: Readonly<Record<string, number>>;
  /** Registered feeds per host name: a host's hourly budget is shared by its feeds. */
  feedsPerHost: ReadonlyMap<string, number>;
  /**
   * A shared HostRequestBudget admits every poll (the Lambda poller): the host's budget is then taken poll by poll,
   * hot feeds first, instead of being split into an equal floor under each of its feeds (hostShareSec).
   */
  sharedHostBudget: boolean;
}

/** What the caller knows about the poll besides its outcome. */
export interface PollSignals {
  /** New items the poll brought (never seen before). */
  newItems: number;
  /** Of those, follow-ups of a tracked story; 0 when the analysis comes later (the Lambda poller). */
  followUps: number;
  /** Follow-ups per hour across all feeds (see storyHeatPerHour). */
  storyHeat: number;
  /**
   * The feed has a WebSub subscription that pushes: its polls are only a safety net, at the longest interval.
   * When the subscription stops pushing, the upkeep moves the feed's due time to now (websub/subscriber.ts).
   */
  pushed?: boolean;
}

export function feedScheduleSettings(
  feeds: readonly FeedDefinition[],
  options: Partial<Omit<FeedScheduleSettings, 'feedsPerHost'>> = {},
): FeedScheduleSettings {
  const feedsPerHost = new Map<string, number>();
  for (const feed of feeds) feedsPerHost.set(hostOf(feed.url), (feedsPerHost.get(hostOf(feed.url)) ?? 0) + 1);
  return {
    schedule: options.schedule ?? DEFAULT_ADAPTIVE_SCHEDULE,
    hintCeilingSec: options.hintCeilingSec ?? 6 * 3600,
    feedMinimumSec: options.feedMinimumSec ?? {},
    feedsPerHost,
    sharedHostBudget: options.sharedHostBudget ?? false,
  };
}

/**
 * The shortest interval that keeps a host within its hourly budget when all of its feeds poll that often: each
 * feed gets an equal share. A host with one feed and the default budget allows any interval above 30 s.
 */
export function hostShareSec(url: string, settings: FeedScheduleSettings): number {
  const feeds = Math.max(1, settings.feedsPerHost.get(hostOf(url)) ?? 1);
  return Math.ceil((feeds * 3600) / settings.schedule.hostRequestsPerHour);
}

/** Follow-ups per hour across all feeds: feeds whose last follow-up is under an hour old (a lower bound). */
export function storyHeatPerHour(states: Iterable<FeedState>, now: Date): number {
  let heat = 0;
  for (const state of states) {
    const at = state.schedule?.lastFollowUpAt;
    if (at && now.getTime() - Date.parse(at) <= 3_600_000) heat += 1;
  }
  return heat;
}

/** What the publisher and the host budget ask of this feed: the floor under every interval. */
function hintsOf(state: FeedState, settings: FeedScheduleSettings): PolitenessHints {
  const perFeed = settings.feedMinimumSec[state.feedId] ?? 0;
  return {
    ttlMinutes: state.freshness?.ttlMinutes ?? null,
    cacheControl: state.freshness?.cacheControl ?? null,
    feedMinimumSec: settings.sharedHostBudget ? perFeed : Math.max(perFeed, hostShareSec(state.url, settings)),
    hintCeilingSec: settings.hintCeilingSec,
  };
}

/**
 * A follow-up the analysis confirmed after the poll that brought it (the Lambda path, where analysis comes later):
 * the feed becomes hot, and its next poll moves earlier to its last answer plus the hot (or, at summit heat, the
 * minimum) interval, never under the politeness floor and never for a feed in failure backoff, whose due time
 * (Retry-After included) stands. Applying it twice at one time gives the same state, so a redelivery changes
 * nothing; the due time only ever moves earlier.
 */
export function markFeedHot(
  state: FeedState,
  signal: { now: Date; storyHeat: number },
  settings: FeedScheduleSettings,
): FeedState {
  if (state.status !== 'active') return state;
  const config = settings.schedule;
  const nowIso = signal.now.toISOString();
  const memory = state.schedule ?? {
    decayedItems: 0,
    decayedHours: 0,
    observedAt: nowIso,
    lastFollowUpAt: null,
    intervalSec: config.initialIntervalSec,
  };
  const wanted = signal.storyHeat >= config.summitFollowUpsPerHour ? config.minIntervalSec : config.hotIntervalSec;
  const lastFollowUpAt =
    memory.lastFollowUpAt !== null && memory.lastFollowUpAt > nowIso ? memory.lastFollowUpAt : nowIso;
  const marked: FeedState = { ...state, schedule: { ...memory, lastFollowUpAt, intervalSec: wanted } };
  if (state.consecutiveFailures > 0 || state.lastSuccessAt === null) return marked;
  const intervalSec = Math.max(wanted, politenessFloorSec(hintsOf(state, settings)));
  const dueMs = Math.max(Date.parse(state.lastSuccessAt) + intervalSec * 1000, signal.now.getTime());
  const dueAt = new Date(dueMs).toISOString();
  return dueAt < state.nextPollAt ? { ...marked, nextPollAt: dueAt } : marked;
}

/**
 * When a feed whose WebSub subscription stopped pushing may be polled again: at once, unless what the publisher
 * asked on its last answer (TTL, max-age, the feed's minimum, its host's share) runs later; null for a feed in
 * failure backoff, parked or gone, whose due time stands. A feed never polled is due already.
 */
export function resumePollingAt(state: FeedState | null, now: Date, settings: FeedScheduleSettings): string | null {
  if (state === null) return now.toISOString();
  if (state.status !== 'active' || state.consecutiveFailures > 0 || state.lastSuccessAt === null) return null;
  const floorMs = politenessFloorSec(hintsOf(state, settings)) * 1000;
  return new Date(Math.max(now.getTime(), Date.parse(state.lastSuccessAt) + floorMs)).toISOString();
}

/** When the fetcher's state records a successful poll the adaptive schedule may time; null for anything else. */
function answeredAt(state: FeedState): Date | null {
  const answered = state.status === 'active' && state.consecutiveFailures === 0 && state.lastSuccessAt !== null;
  return answered && state.lastSuccessAt === state.lastPolledAt ? new Date(state.lastSuccessAt as string) : null;
}

/**
 * The state to store after a poll: a successful poll gets its next due time from the adaptive schedule, counted
 * from the moment it answered, and carries the updated schedule memory; anything else keeps the fetcher's due time
 * (its failure backoff, Retry-After included) and the previous memory.
 */
export function scheduleNextPoll(
  previous: FeedState | null,
  next: FeedState,
  signals: PollSignals,
  settings: FeedScheduleSettings,
): FeedState {
  const memory = previous?.schedule ?? next.schedule;
  const now = answeredAt(next);
  if (now === null) return memory ? { ...next, schedule: memory } : next;
  const decision = nextPollInterval(
    memory,
    {
      now,
      newItems: signals.newItems,
      followUps: signals.followUps,
      storyHeat: signals.storyHeat,
      hints: hintsOf(next, settings),
    },
    settings.schedule,
  );
  const intervalSec = signals.pushed
    ? Math.max(decision.intervalSec, settings.schedule.maxIntervalSec)
    : decision.intervalSec;
  return {
    ...next,
    nextPollAt: new Date(now.getTime() + intervalSec * 1000).toISOString(),
    schedule: decision.memory,
  };
}
