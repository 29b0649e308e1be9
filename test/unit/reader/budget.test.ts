import { describe, expect, it } from 'vitest';
import { createMemoryBudget } from '../../../src/reader/budget';

describe('the in-memory reading budget', () => {
  it('grants items up to the daily limit per story, and again the next UTC day', async () => {
    const budget = createMemoryBudget({ itemsPerDay: 5 });
    expect(await budget.reserve('a', '2026-03-01', 4)).toBe(4);
    expect(await budget.reserve('a', '2026-03-01', 4)).toBe(1);
    expect(await budget.reserve('a', '2026-03-01', 1)).toBe(0);
    expect(await budget.reserve('b', '2026-03-01', 3)).toBe(3);
    expect(await budget.reserve('a', '2026-03-02', 4)).toBe(4);
    // A day already counted keeps its count when a late batch comes back to it.
    expect(await budget.reserve('a', '2026-03-01', 1)).toBe(0);
  });

  it('stops granting once the day’s tokens are spent', async () => {
    const budget = createMemoryBudget({ tokensPerDay: 1000 });
    expect(await budget.reserve('a', '2026-03-01', 8)).toBe(8);
    await budget.charge('a', '2026-03-01', 999);
    expect(await budget.reserve('a', '2026-03-01', 8)).toBe(8);
    await budget.charge('a', '2026-03-01', 1);
    expect(await budget.reserve('a', '2026-03-01', 8)).toBe(0);
    expect(await budget.reserve('b', '2026-03-01', 8)).toBe(8);
    expect(await budget.reserve('a', '2026-03-02', 8)).toBe(8);
  });
});
