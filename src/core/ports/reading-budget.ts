/**
 * A story's daily allowance of model reading, shared by every process that reads for it: each analyzer
 * invocation (cold or warm, one of many running at once) draws on the same count, so the limit holds for the
 * deployment and not per container. When it is spent the reader hands the rest of the day's items to the rules.
 */

export interface BudgetLimits {
  /** Items a story may send to the model per UTC day; undefined means no item limit. */
  itemsPerDay?: number;
  /** Input + output tokens a story may spend per UTC day; undefined means no token limit. */
  tokensPerDay?: number;
}

export interface ReadingBudget {
  /**
   * Takes up to `items` of the story's allowance for `day` (YYYY-MM-DD, UTC) and returns how many were granted
   * (0..items). Atomic: reservers racing for the last items of a day never get more than the limit between them.
   * A day whose tokens are spent grants nothing.
   */
  reserve(storyId: string, day: string, items: number): Promise<number>;
  /**
   * Adds the tokens a request spent to the day it reserved on. Tokens are known only once the model answered, so
   * the requests in flight when the limit is reached still land: the token limit can be passed by that much.
   */
  charge(storyId: string, day: string, tokens: number): Promise<void>;
}

/** The UTC day a reservation at `at` counts against. */
export const budgetDay = (at: Date): string => at.toISOString().slice(0, 10);

export const hasBudgetLimit = (limits: BudgetLimits): boolean =>
  limits.itemsPerDay !== undefined || limits.tokensPerDay !== undefined;
