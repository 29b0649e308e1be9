/**
 * A daily allowance of model reading per story. When it is spent the reader hands over to the rules for the rest
 * of the day (UTC), counted as `budget` fallbacks so an alarm can say so.
 */

export interface BudgetLimits {
  /** Items a story may send to the model per UTC day; undefined means no item limit. */
  itemsPerDay?: number;
  /** Input + output tokens a story may spend per UTC day; undefined means no token limit. */
  tokensPerDay?: number;
}

/** The budget port: in memory for the CLI and tests; a shared counter store behind it in Lambda. */
export interface ReadingBudget {
  /** Reserves up to `wanted` items for `storyId` today and returns how many were granted (0..wanted). */
  reserve(storyId: string, wanted: number): Promise<number>;
  /** Records the tokens a request spent, so a token limit applies to later reservations. */
  charge(storyId: string, tokens: number): Promise<void>;
}

export const UNLIMITED_BUDGET: ReadingBudget = {
  reserve: async (_storyId, wanted) => wanted,
  charge: async () => {},
};

interface DaySpend {
  day: string;
  items: number;
  tokens: number;
}

/** One process's daily budget: enough for a CLI run or one warm Lambda; counted per story and reset at 00:00 UTC. */
export function createDailyBudget(limits: BudgetLimits, now: () => Date = () => new Date()): ReadingBudget {
  const spend = new Map<string, DaySpend>();
  const today = (storyId: string): DaySpend => {
    const day = now().toISOString().slice(0, 10);
    const current = spend.get(storyId);
    if (current && current.day === day) return current;
    const fresh = { day, items: 0, tokens: 0 };
    spend.set(storyId, fresh);
    return fresh;
  };
  return {
    async reserve(storyId, wanted) {
      const entry = today(storyId);
      if (limits.tokensPerDay !== undefined && entry.tokens >= limits.tokensPerDay) return 0;
      const left = limits.itemsPerDay === undefined ? wanted : Math.max(0, limits.itemsPerDay - entry.items);
      const granted = Math.min(wanted, left);
      entry.items += granted;
      return granted;
    },
    async charge(storyId, tokens) {
      today(storyId).tokens += tokens;
    },
  };
}
