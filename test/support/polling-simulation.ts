/**
 * Runs a simulated day of a dispatcher over a SimulatedWorld: a clock that ticks once a minute, due feeds admitted
 * through the per-host budget, each answer turned into the next due time by either the fixed 15-minute schedule
 * (politeness.ts alone) or the adaptive one (adaptive-schedule.ts inside politeness.ts), and pushes delivered at
 * publication time for feeds with an active WebSub subscription. How a poll or a push is carried out is injected:
 * in memory for the tests, over loopback HTTP through the real fetcher and the WebSub callback in the bench.
 */
import type { HostRequestBudget } from '../../src/core/ports/host-budget';
import {
  type AdaptiveScheduleConfig,
  type FeedScheduleMemory,
  isHot,
  nextPollInterval,
  type PolitenessHints,
  resolveAdaptiveSchedule,
} from '../../src/ingestion/adaptive-schedule';
import { HostBudget } from '../../src/ingestion/host-budget';
import { DEFAULT_FETCH_OPTIONS } from '../../src/ingestion/options';
import { backoffIntervalSec, type PolitenessOptions, successIntervalSec } from '../../src/ingestion/politeness';
import type { Publication, SimulatedFeed, SimulatedWorld } from './simulated-world';

export type PollAnswer =
  | { ok: true; newIds: string[]; hints: SimulatedFeed['hints'] }
  | { ok: false; httpStatus: number; retryAfterSec: number | null };

export interface SimulationPorts {
  /** Polls the feeds due at one tick; answers in the same order. */
  poll(feeds: SimulatedFeed[], now: Date): Promise<PollAnswer[]>;
  /** Delivers one publication of a subscribed feed by push; the ids it stored and the real time it took. */
  push?(feed: SimulatedFeed, publication: Publication, now: Date): Promise<{ newIds: string[]; elapsedMs: number }>;
  /** Whether the feed has a push subscription that is active now. */
  pushActive?(feed: SimulatedFeed, now: Date): boolean;
  /** Called once per simulated hour (subscription upkeep: lease renewals, overdue verifications). */
  everyHour?(now: Date): Promise<void>;
}

export type SchedulerMode = 'fixed' | 'adaptive';

export interface SimulationOptions {
  world: SimulatedWorld;
  mode: SchedulerMode;
  ports: SimulationPorts;
  tickSec?: number;
  /** Polling goes on this long after the last publication, so late items are still picked up. */
  drainSec?: number;
  adaptive?: Partial<AdaptiveScheduleConfig>;
  politeness?: PolitenessOptions;
  /**
   * The shared per-host budget the Lambda pollers take from (windows, hot feeds first) instead of the exact
   * sliding-hour bookkeeping of host-budget.ts, so the politeness checks can be run against it.
   */
  hostBudget?: HostRequestBudget;
}

export interface RequestRecord {
  feedId: string;
  host: string;
  at: number;
  /** What the answer asked for, as sent: the next request must respect it. */
  answer: PollAnswer;
}

export interface SimulationResult {
  requests: RequestRecord[];
  /** Publication id → ms at which the pipeline first stored it. */
  storedAt: Map<string, number>;
  /** Polls that the host budget moved to a later tick. */
  deferredByBudget: number;
  pushes: number;
}

const HOUR = 3_600_000;

interface FeedRun {
  feed: SimulatedFeed;
  dueAt: number;
  failures: number;
  memory: FeedScheduleMemory | undefined;
}

function politenessHints(hints: SimulatedFeed['hints'], politeness: PolitenessOptions): PolitenessHints {
  return {
    ttlMinutes: hints.ttlMinutes ?? null,
    cacheControl: hints.maxAgeSec === undefined ? null : `max-age=${hints.maxAgeSec}`,
    feedMinimumSec: hints.feedMinimumSec ?? null,
    hintCeilingSec: politeness.maxPollIntervalSec,
  };
}

class Simulation {
  readonly result: SimulationResult = { requests: [], storedAt: new Map(), deferredByBudget: 0, pushes: 0 };
  private readonly runs: FeedRun[];
  private readonly budget: HostBudget;
  private readonly config: AdaptiveScheduleConfig;
  private readonly politeness: PolitenessOptions;
  private readonly followUps = new Set<string>();
  private readonly followUpTimes: number[] = [];

  constructor(private readonly options: SimulationOptions) {
    this.config = resolveAdaptiveSchedule(options.adaptive);
    this.politeness = options.politeness ?? DEFAULT_FETCH_OPTIONS;
    this.budget = new HostBudget(this.config.hostRequestsPerHour);
    this.runs = options.world.feeds.map((feed) => ({
      feed,
      dueAt: options.world.start,
      failures: 0,
      memory: undefined,
    }));
    for (const publication of options.world.publications) if (publication.followUp) this.followUps.add(publication.id);
  }

  async run(): Promise<SimulationResult> {
    const { world } = this.options;
    const tick = (this.options.tickSec ?? 60) * 1000;
    const stop = world.end + (this.options.drainSec ?? 6 * 3600) * 1000;
    let next = 0;
    for (let now = world.start; now <= stop; now += tick) {
      if ((now - world.start) % HOUR === 0) await this.options.ports.everyHour?.(new Date(now));
      while (next < world.publications.length && (world.publications[next] as Publication).at <= now) {
        await this.maybePush(world.publications[next] as Publication);
        next += 1;
      }
      await this.dispatch(now);
    }
    return this.result;
  }

  private isPushed(feed: SimulatedFeed, now: number): boolean {
    return (
      this.options.mode === 'adaptive' && feed.websub && (this.options.ports.pushActive?.(feed, new Date(now)) ?? false)
    );
  }

  private async maybePush(publication: Publication): Promise<void> {
    const run = this.runs.find((candidate) => candidate.feed.id === publication.feedId);
    const { push } = this.options.ports;
    if (!run || !push || !this.isPushed(run.feed, publication.at)) return;
    const delivered = await push(run.feed, publication, new Date(publication.at));
    this.result.pushes += 1;
    this.store(delivered.newIds, publication.at + delivered.elapsedMs);
  }

  private store(ids: string[], at: number): number {
    let followUps = 0;
    for (const id of ids) {
      if (this.result.storedAt.has(id)) continue;
      this.result.storedAt.set(id, at);
      if (this.followUps.has(id)) {
        followUps += 1;
        this.followUpTimes.push(at);
      }
    }
    return followUps;
  }

  private storyHeat(now: number): number {
    return this.followUpTimes.filter((at) => at > now - HOUR && at <= now).length;
  }

  /** Whether the feed may be polled now by its host's budget; when not, its due time moves to when it may. */
  private async admit(run: FeedRun, now: number): Promise<boolean> {
    const shared = this.options.hostBudget;
    if (shared) {
      const priority = isHot(run.memory, new Date(now), this.config) ? 'hot' : 'other';
      const grant = await shared.take(run.feed.host, new Date(now).toISOString(), priority);
      if (grant.granted) return true;
      run.dueAt = Date.parse(grant.retryAt);
    } else {
      if (this.budget.tryTake(run.feed.host, new Date(now))) return true;
      run.dueAt = this.budget.nextSlot(run.feed.host, new Date(now)).getTime();
    }
    this.result.deferredByBudget += 1;
    return false;
  }

  private async dispatch(now: number): Promise<void> {
    const admitted: FeedRun[] = [];
    for (const run of this.runs) {
      if (run.dueAt <= now && (await this.admit(run, now))) admitted.push(run);
    }
    if (admitted.length === 0) return;
    const answers = await this.options.ports.poll(
      admitted.map((run) => run.feed),
      new Date(now),
    );
    admitted.forEach((run, index) => {
      const answer = answers[index] ?? { ok: false, httpStatus: 0, retryAfterSec: null };
      this.result.requests.push({ feedId: run.feed.id, host: run.feed.host, at: now, answer });
      run.dueAt = now + this.intervalSec(run, answer, now) * 1000;
    });
  }

  private intervalSec(run: FeedRun, answer: PollAnswer, now: number): number {
    if (!answer.ok) {
      run.failures += 1;
      const backoff = backoffIntervalSec(run.failures, this.politeness);
      const retryAfter = answer.retryAfterSec ?? 0;
      return Math.min(Math.max(backoff, retryAfter), this.politeness.maxBackoffSec);
    }
    run.failures = 0;
    const followUps = this.store(answer.newIds, now);
    const hints = politenessHints(answer.hints, this.politeness);
    if (this.options.mode === 'fixed') {
      return Math.max(successIntervalSec(hints, this.politeness), hints.feedMinimumSec ?? 0);
    }
    const decision = nextPollInterval(
      run.memory,
      { now: new Date(now), newItems: answer.newIds.length, followUps, storyHeat: this.storyHeat(now), hints },
      this.config,
    );
    run.memory = decision.memory;
    // A feed that pushes is polled only as a safety net, at the longest interval.
    return this.isPushed(run.feed, now)
      ? Math.max(decision.intervalSec, this.config.maxIntervalSec)
      : decision.intervalSec;
  }
}

export function simulateDay(options: SimulationOptions): Promise<SimulationResult> {
  return new Simulation(options).run();
}

/**
 * The world's feeds answered from memory: each poll returns what was published since the last one, and a throttled
 * feed answers every n-th request with 429 and its Retry-After.
 */
export function inMemoryPorts(world: SimulatedWorld, options: { websub?: boolean } = {}): SimulationPorts {
  const byFeed = new Map<string, Publication[]>();
  for (const publication of world.publications) {
    byFeed.set(publication.feedId, [...(byFeed.get(publication.feedId) ?? []), publication]);
  }
  const handed = new Set<string>();
  const requestCount = new Map<string, number>();
  const unseen = (feedId: string, now: Date) =>
    (byFeed.get(feedId) ?? []).filter((p) => p.at <= now.getTime() && !handed.has(p.id)).map((p) => p.id);
  const pollOne = (feed: SimulatedFeed, now: Date): PollAnswer => {
    const count = (requestCount.get(feed.id) ?? 0) + 1;
    requestCount.set(feed.id, count);
    if (feed.throttle && count % feed.throttle.everyNth === 0) {
      return { ok: false, httpStatus: 429, retryAfterSec: feed.throttle.retryAfterSec };
    }
    const newIds = unseen(feed.id, now);
    for (const id of newIds) handed.add(id);
    return { ok: true, newIds, hints: feed.hints };
  };
  return {
    poll: async (feeds, now) => feeds.map((feed) => pollOne(feed, now)),
    ...(options.websub
      ? {
          pushActive: () => true,
          async push(feed, _publication, now) {
            const newIds = unseen(feed.id, now);
            for (const id of newIds) handed.add(id);
            return { newIds, elapsedMs: 0 };
          },
        }
      : {}),
  };
}

export interface LatencySummary {
  count: number;
  medianSec: number;
  p95Sec: number;
  /** Publications never stored by the end of the run. */
  missed: number;
}

export function percentile(sorted: number[], share: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(share * sorted.length) - 1));
  return sorted[index] as number;
}

export function summarizeLatency(
  world: SimulatedWorld,
  result: SimulationResult,
  include: (publication: Publication, feed: SimulatedFeed) => boolean,
): LatencySummary {
  const feeds = new Map(world.feeds.map((feed) => [feed.id, feed]));
  const latencies: number[] = [];
  let missed = 0;
  for (const publication of world.publications) {
    const feed = feeds.get(publication.feedId);
    if (!feed || !include(publication, feed)) continue;
    const stored = result.storedAt.get(publication.id);
    if (stored === undefined) missed += 1;
    else latencies.push((stored - publication.at) / 1000);
  }
  latencies.sort((a, b) => a - b);
  return {
    count: latencies.length,
    medianSec: percentile(latencies, 0.5),
    p95Sec: percentile(latencies, 0.95),
    missed,
  };
}

/** Requests per feed in the simulated day proper (the drain after it does not count). */
export function requestsPerFeedPerDay(world: SimulatedWorld, result: SimulationResult): number {
  const inDay = result.requests.filter((request) => request.at < world.end).length;
  return inDay / world.feeds.length;
}

/** The politeness maximum: hints are honoured up to 6 hours, Retry-After up to the 24-hour backoff ceiling. */
const HINT_CEILING_SEC = 6 * 3600;
const RETRY_CEILING_SEC = 24 * 3600;

/** The wait an answer asked for, worked out from the raw hints rather than by the code under test. */
export function requiredGapSec(request: RequestRecord): number {
  const { answer } = request;
  if (!answer.ok) return Math.min(answer.retryAfterSec ?? 0, RETRY_CEILING_SEC);
  const { ttlMinutes, maxAgeSec, feedMinimumSec } = answer.hints;
  return Math.max(
    ttlMinutes === undefined ? 0 : Math.min(ttlMinutes * 60, HINT_CEILING_SEC),
    maxAgeSec === undefined ? 0 : Math.min(maxAgeSec, HINT_CEILING_SEC),
    feedMinimumSec ?? 0,
  );
}

/** Requests sent sooner after the feed's previous answer than that answer asked. Requests in time order. */
export function hintViolations(requests: RequestRecord[]): string[] {
  const last = new Map<string, RequestRecord>();
  const problems: string[] = [];
  for (const request of requests) {
    const previous = last.get(request.feedId);
    if (previous) {
      const gapSec = (request.at - previous.at) / 1000;
      const required = requiredGapSec(previous);
      if (gapSec < required)
        problems.push(`${request.feedId}: ${gapSec} s after the last request, asked ${required} s`);
    }
    last.set(request.feedId, request);
  }
  return problems;
}

/** Requests beyond a host's budget in the sliding hour up to them. Requests in time order. */
export function budgetViolations(requests: RequestRecord[], perHour: number): string[] {
  const byHost = new Map<string, number[]>();
  const problems: string[] = [];
  for (const request of requests) {
    const times = byHost.get(request.host) ?? [];
    times.push(request.at);
    byHost.set(request.host, times);
    const inHour = times.filter((at) => at > request.at - HOUR).length;
    if (inHour > perHour) problems.push(`${request.host}: ${inHour} requests in the hour up to ${request.at}`);
  }
  return problems;
}
