/**
 * The in-memory reading budget: one process's count, for the CLI (a run, a replay) and tests. Lambda uses the
 * DynamoDB one (src/adapters/dynamodb/reading-budget.ts), so every container draws on the same count.
 */
import type { BudgetLimits, ReadingBudget } from '../core/ports/reading-budget';

export type { BudgetLimits, ReadingBudget } from '../core/ports/reading-budget';

export const UNLIMITED_BUDGET: ReadingBudget = {
  reserve: async (_storyId, _day, items) => items,
  charge: async () => {},
};

interface DaySpend {
  items: number;
  tokens: number;
}

/** Counted per story and UTC day: one small entry each, so even a replay of a year holds a few hundred. */
export function createMemoryBudget(limits: BudgetLimits): ReadingBudget {
  const spend = new Map<string, DaySpend>();
  const on = (storyId: string, day: string): DaySpend => {
    const key = `${storyId}\n${day}`;
    const current = spend.get(key) ?? { items: 0, tokens: 0 };
    spend.set(key, current);
    return current;
  };
  return {
    async reserve(storyId, day, items) {
      const entry = on(storyId, day);
      if (limits.tokensPerDay !== undefined && entry.tokens >= limits.tokensPerDay) return 0;
      const left = limits.itemsPerDay === undefined ? items : Math.max(0, limits.itemsPerDay - entry.items);
      const granted = Math.min(items, left);
      entry.items += granted;
      return granted;
    },
    async charge(storyId, day, tokens) {
      on(storyId, day).tokens += tokens;
    },
  };
}
