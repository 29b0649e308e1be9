/**
 * The in-memory reading budget: one process's count, for a replay (whose days are the archive's) and tests. Lambda
 * and `storywatch run` use the DynamoDB one (src/adapters/dynamodb/reading-budget.ts), so every container, and
 * every run on the same store, draws on the same count.
 */
import {
  type BudgetGrant,
  type BudgetLimits,
  grantableItems,
  NOTHING_GRANTED,
  type ReadingBudget,
  reservedTokens,
} from '../core/ports/reading-budget';

export type { BudgetLimits, ReadingBudget } from '../core/ports/reading-budget';

export const UNLIMITED_BUDGET: ReadingBudget = {
  reserve: async (_storyId, _day, items, estimate) => ({ items, tokens: reservedTokens(estimate, items) }),
  settle: async () => {},
};

/** Counted per story and UTC day: one small entry each, so even a replay of a year holds a few hundred. */
export function createMemoryBudget(limits: BudgetLimits): ReadingBudget {
  const taken = new Map<string, BudgetGrant>();
  const on = (storyId: string, day: string): BudgetGrant => {
    const key = `${storyId}\n${day}`;
    const current = taken.get(key) ?? { items: 0, tokens: 0 };
    taken.set(key, current);
    return current;
  };
  return {
    async reserve(storyId, day, items, estimate) {
      const entry = on(storyId, day);
      const granted = grantableItems(limits, entry, items, estimate);
      if (granted === 0) return NOTHING_GRANTED;
      const grant = { items: granted, tokens: reservedTokens(estimate, granted) };
      entry.items += grant.items;
      entry.tokens += grant.tokens;
      return grant;
    },
    async settle(storyId, day, grant, spent) {
      const entry = on(storyId, day);
      entry.items += spent.items - grant.items;
      entry.tokens += spent.tokens - grant.tokens;
    },
  };
}
