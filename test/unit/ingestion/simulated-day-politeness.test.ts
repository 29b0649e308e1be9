import { describe, expect, it } from 'vitest';
import {
  inMemoryPorts,
  type RequestRecord,
  requestsPerFeedPerDay,
  type SchedulerMode,
  simulateDay,
  summarizeLatency,
} from '../../support/polling-simulation';
import { buildWorld } from '../../support/simulated-world';

const HOUR = 3_600_000;
/** The politeness maximum: hints are honoured up to 6 hours, Retry-After up to the 24-hour backoff ceiling. */
const HINT_CEILING_SEC = 6 * 3600;
const RETRY_CEILING_SEC = 24 * 3600;

/** The wait the answer asked for, worked out here from the raw hints rather than by the code under test. */
function requiredGapSec(request: RequestRecord): number {
  const { answer } = request;
  if (!answer.ok) return Math.min(answer.retryAfterSec ?? 0, RETRY_CEILING_SEC);
  const { ttlMinutes, maxAgeSec, feedMinimumSec } = answer.hints;
  return Math.max(
    ttlMinutes === undefined ? 0 : Math.min(ttlMinutes * 60, HINT_CEILING_SEC),
    maxAgeSec === undefined ? 0 : Math.min(maxAgeSec, HINT_CEILING_SEC),
    feedMinimumSec ?? 0,
  );
}

function hintViolations(requests: RequestRecord[]): string[] {
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

function budgetViolations(requests: RequestRecord[], perHour: number): string[] {
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

async function day(mode: SchedulerMode, hostRequestsPerHour = 120) {
  const world = buildWorld({ feeds: 120, seed: 7 });
  const result = await simulateDay({
    world,
    mode,
    ports: inMemoryPorts(world, { websub: true }),
    adaptive: { hostRequestsPerHour },
  });
  return { world, result };
}

describe('a simulated day of polling', () => {
  it('the world exercises every hint: TTLs, max-ages, feed minimums, 429s and shared hosts', async () => {
    const { world, result } = await day('adaptive');
    expect(world.feeds.some((feed) => feed.hints.ttlMinutes)).toBe(true);
    expect(world.feeds.some((feed) => feed.hints.maxAgeSec)).toBe(true);
    expect(world.feeds.some((feed) => feed.hints.feedMinimumSec)).toBe(true);
    expect(result.requests.some((request) => !request.answer.ok)).toBe(true);
    expect(new Set(world.feeds.map((feed) => feed.host)).size).toBeLessThan(world.feeds.length);
  });

  for (const mode of ['fixed', 'adaptive'] as const) {
    it(`${mode}: every request respects the hints of the feed's previous answer and the host budget`, async () => {
      const { result } = await day(mode);
      expect(result.requests.length).toBeGreaterThan(1000);
      expect(hintViolations(result.requests)).toEqual([]);
      expect(budgetViolations(result.requests, 120)).toEqual([]);
    });
  }

  it('a tight host budget defers polls instead of exceeding it', async () => {
    const { result } = await day('adaptive', 12);
    expect(result.deferredByBudget).toBeGreaterThan(0);
    expect(budgetViolations(result.requests, 12)).toEqual([]);
    expect(hintViolations(result.requests)).toEqual([]);
  });

  it('adaptive polling stores every publication and sends fewer requests than fixed 15-minute polling', async () => {
    const fixed = await day('fixed');
    const adaptive = await day('adaptive');
    expect(requestsPerFeedPerDay(adaptive.world, adaptive.result)).toBeLessThan(
      requestsPerFeedPerDay(fixed.world, fixed.result),
    );
    const everything = () => true;
    expect(summarizeLatency(adaptive.world, adaptive.result, everything).missed).toBe(0);
    expect(summarizeLatency(fixed.world, fixed.result, everything).missed).toBe(0);
  });

  it('hot feeds are found sooner by the adaptive schedule than by the fixed one', async () => {
    const fixed = await day('fixed');
    const adaptive = await day('adaptive');
    const hotFollowUps = (publication: { followUp: boolean }, feed: { kind: string; websub: boolean }) =>
      publication.followUp && feed.kind === 'hot' && !feed.websub;
    const ours = summarizeLatency(adaptive.world, adaptive.result, hotFollowUps);
    const theirs = summarizeLatency(fixed.world, fixed.result, hotFollowUps);
    expect(ours.count).toBeGreaterThan(10);
    expect(ours.p95Sec).toBeLessThan(theirs.p95Sec);
  });
});
