import { describe, expect, it } from 'vitest';
import { createDailyBudget } from '../../../src/reader/budget';

describe('the daily reading budget', () => {
  it('grants items up to the daily limit per story, and again the next UTC day', async () => {
    let now = new Date('2026-03-01T23:00:00Z');
    const budget = createDailyBudget({ itemsPerDay: 5 }, () => now);
    expect(await budget.reserve('a', 4)).toBe(4);
    expect(await budget.reserve('a', 4)).toBe(1);
    expect(await budget.reserve('a', 1)).toBe(0);
    expect(await budget.reserve('b', 3)).toBe(3);
    now = new Date('2026-03-02T00:00:01Z');
    expect(await budget.reserve('a', 4)).toBe(4);
  });

  it('stops granting once the day’s tokens are spent', async () => {
    const budget = createDailyBudget({ tokensPerDay: 1000 }, () => new Date('2026-03-01T12:00:00Z'));
    expect(await budget.reserve('a', 8)).toBe(8);
    await budget.charge('a', 999);
    expect(await budget.reserve('a', 8)).toBe(8);
    await budget.charge('a', 1);
    expect(await budget.reserve('a', 8)).toBe(0);
    expect(await budget.reserve('b', 8)).toBe(8);
  });
});
