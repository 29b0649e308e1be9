import { describe, expect, it } from 'vitest';
import { createMemoryHostBudget, hostBudgetPlan, hostOf, nextWindow } from '../../../src/core/host-budget';
import { budgetViolations, type RequestRecord } from '../../support/polling-simulation';

const T0 = Date.parse('2026-06-01T09:00:00.000Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000).toISOString();

/** Takes for one host every `everySec` over `hours`, as `priority`: the moments that were granted. */
async function greedyTaker(requestsPerHour: number, everySec: number, hours = 4): Promise<RequestRecord[]> {
  const budget = createMemoryHostBudget(hostBudgetPlan(requestsPerHour, 0.25));
  const granted: RequestRecord[] = [];
  for (let second = 0; second < hours * 3600; second += everySec) {
    if ((await budget.take('news.example.org', at(second), 'hot')).granted) {
      granted.push({
        feedId: 'f',
        host: 'news.example.org',
        at: T0 + second * 1000,
        answer: { ok: false, httpStatus: 0, retryAfterSec: null },
      });
    }
  }
  return granted;
}

describe('the host budget plan', () => {
  it('splits the default 120 an hour into 16 windows of 225 s with 7 requests, 2 of them kept for hot feeds', () => {
    expect(hostBudgetPlan(120, 0.25)).toEqual({ windowSec: 225, perWindow: 7, ceilings: { hot: 7, other: 5 } });
  });

  it('keeps a tight budget usable, and refuses one that no window can hold', () => {
    expect(hostBudgetPlan(12, 0.25)).toMatchObject({ windowSec: 720, perWindow: 2, ceilings: { hot: 2, other: 1 } });
    expect(hostBudgetPlan(3, 0.5).ceilings).toEqual({ hot: 1, other: 1 });
    expect(() => hostBudgetPlan(1, 0.25)).toThrow(RangeError);
    expect(() => hostBudgetPlan(120, 1)).toThrow(RangeError);
  });

  for (const [perHour, everySec] of [
    [120, 1],
    [120, 37],
    [12, 5],
    [7, 61],
  ] as const) {
    it(`a taker asking every ${everySec} s never gets more than ${perHour} in any sliding hour`, async () => {
      const granted = await greedyTaker(perHour, everySec);
      expect(budgetViolations(granted, perHour)).toEqual([]);
      // And the budget is not wasted: at least 80 % of it goes out over the hours.
      expect(granted.length).toBeGreaterThanOrEqual(Math.floor(perHour * 0.8) * 4 - perHour);
    });
  }

  it('sends a refused poll to the start of the next window', () => {
    const plan = hostBudgetPlan(120, 0.25);
    expect(nextWindow(plan, new Date(at(10))).toISOString()).toBe(at(225));
    expect(nextWindow(plan, new Date(at(225))).toISOString()).toBe(at(450));
  });

  it('budgets each host name apart, case aside', () => {
    expect(hostOf('https://Feeds.Example.org/rss?x=1')).toBe('feeds.example.org');
    expect(hostOf('not a url')).toBe('not a url');
  });
});

describe('the in-memory host budget', () => {
  it('gives hot feeds the part of a window the others may not take, and starts over in the next window', async () => {
    const budget = createMemoryHostBudget(hostBudgetPlan(120, 0.25));
    const quiet = [];
    for (let index = 0; index < 7; index += 1) quiet.push(await budget.take('news.example.org', at(index), 'other'));
    expect(quiet.filter((grant) => grant.granted)).toHaveLength(5);
    expect(quiet.at(-1)).toEqual({ granted: false, retryAt: at(225) });
    expect(await budget.take('news.example.org', at(8), 'hot')).toEqual({ granted: true });
    expect(await budget.take('news.example.org', at(9), 'hot')).toEqual({ granted: true });
    expect((await budget.take('news.example.org', at(10), 'hot')).granted).toBe(false);
    expect(await budget.take('elsewhere.example.net', at(10), 'other')).toEqual({ granted: true });
    expect(await budget.take('news.example.org', at(225), 'other')).toEqual({ granted: true });
  });
});
