import { describe, expect, it } from 'vitest';
import {
  budgetViolations,
  hintViolations,
  inMemoryPorts,
  requestsPerFeedPerDay,
  type SchedulerMode,
  simulateDay,
  summarizeLatency,
} from '../../support/polling-simulation';
import { buildWorld } from '../../support/simulated-world';

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
