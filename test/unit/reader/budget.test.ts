import { describe, expect, it } from 'vitest';
import { grantableItems, NOTHING_SPENT, type TokenEstimate } from '../../../src/core/ports/reading-budget';
import { createMemoryBudget } from '../../../src/reader/budget';

/** A request costs 100 tokens and 50 more per item, at most. */
const ESTIMATE: TokenEstimate = { perRequest: 100, perItem: 50 };
const itemsOf = async (grant: Promise<{ items: number }>) => (await grant).items;

describe('the in-memory reading budget', () => {
  it('grants items up to the daily limit per story, and again the next UTC day', async () => {
    const budget = createMemoryBudget({ itemsPerDay: 5 });
    const reserve = (story: string, day: string, items: number) => itemsOf(budget.reserve(story, day, items, ESTIMATE));
    expect(await reserve('a', '2026-03-01', 4)).toBe(4);
    expect(await reserve('a', '2026-03-01', 4)).toBe(1);
    expect(await reserve('a', '2026-03-01', 1)).toBe(0);
    expect(await reserve('b', '2026-03-01', 3)).toBe(3);
    expect(await reserve('a', '2026-03-02', 4)).toBe(4);
    // A day already counted keeps its count when a late batch comes back to it.
    expect(await reserve('a', '2026-03-01', 1)).toBe(0);
  });

  it('holds the estimated tokens of a request until it is settled, so requests in flight keep the limit', async () => {
    const budget = createMemoryBudget({ tokensPerDay: 1000 });
    // 100 + 8 × 50 = 500 held: a second request of 8 fits, a third does not, only 6 items of it would…
    const first = await budget.reserve('a', '2026-03-01', 8, ESTIMATE);
    expect(first).toEqual({ items: 8, tokens: 500 });
    const second = await budget.reserve('a', '2026-03-01', 8, ESTIMATE);
    expect(second).toEqual({ items: 8, tokens: 500 });
    // …but nothing is left while both are in flight.
    expect(await budget.reserve('a', '2026-03-01', 8, ESTIMATE)).toEqual({ items: 0, tokens: 0 });
    // The first answer cost 300 tokens: 200 come back, enough for a request of 2 items (100 + 2 × 50).
    await budget.settle('a', '2026-03-01', first, { items: 8, tokens: 300 });
    expect(await budget.reserve('a', '2026-03-01', 8, ESTIMATE)).toEqual({ items: 2, tokens: 200 });
    // The second got no answer: all of it comes back.
    await budget.settle('a', '2026-03-01', second, NOTHING_SPENT);
    expect(await itemsOf(budget.reserve('a', '2026-03-01', 8, ESTIMATE))).toBe(8);
    // Other stories and days have their own tokens.
    expect(await itemsOf(budget.reserve('b', '2026-03-01', 8, ESTIMATE))).toBe(8);
    expect(await itemsOf(budget.reserve('a', '2026-03-02', 8, ESTIMATE))).toBe(8);
  });

  it('stops granting once the day’s tokens are spent, even past the limit by an answer longer than held', async () => {
    const budget = createMemoryBudget({ tokensPerDay: 1000 });
    const grant = await budget.reserve('a', '2026-03-01', 2, ESTIMATE);
    await budget.settle('a', '2026-03-01', grant, { items: 2, tokens: 1200 });
    expect(await itemsOf(budget.reserve('a', '2026-03-01', 1, ESTIMATE))).toBe(0);
  });
});

describe('what a day can still grant', () => {
  it('is the smaller of the items left and the items whose tokens fit', () => {
    const limits = { itemsPerDay: 10, tokensPerDay: 1000 };
    expect(grantableItems(limits, { items: 0, tokens: 0 }, 20, ESTIMATE)).toBe(10);
    expect(grantableItems(limits, { items: 0, tokens: 500 }, 20, ESTIMATE)).toBe(8);
    expect(grantableItems(limits, { items: 9, tokens: 0 }, 20, ESTIMATE)).toBe(1);
    // Not even the fixed part of a request fits: nothing, rather than a request that passes the limit.
    expect(grantableItems(limits, { items: 0, tokens: 901 }, 20, ESTIMATE)).toBe(0);
    expect(grantableItems({}, { items: 50, tokens: 5000 }, 20, ESTIMATE)).toBe(20);
  });
});
