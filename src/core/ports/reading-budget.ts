/**
 * A story's daily allowance of model reading, shared by every process that reads for it: each analyzer
 * invocation (cold or warm, one of many running at once) draws on the same count, so the limit holds for the
 * deployment and not per container. When it is spent the reader hands the rest of the day's items to the rules.
 *
 * Tokens are only known once the model answered, so a request first reserves what it may cost at most and settles
 * the difference after the answer. Requests in flight therefore hold their share of the token limit: however many
 * are sent at once, their reservations never pass the limit between them.
 */

export interface BudgetLimits {
  /** Items a story may send to the model per UTC day; undefined means no item limit. */
  itemsPerDay?: number;
  /** Input + output tokens a story may spend per UTC day; undefined means no token limit. */
  tokensPerDay?: number;
}

/** What one request of `k` items may cost at most: `perRequest + k × perItem` tokens. */
export interface TokenEstimate {
  /** Tokens a request costs whatever its items: the instructions, the answer's schema, the answer's frame. */
  perRequest: number;
  /** Tokens each item adds at most: its text in, its answer out. */
  perItem: number;
}

/** What a reservation took from the day: the items granted and the tokens held for them. */
export interface BudgetGrant {
  items: number;
  tokens: number;
}

export const NOTHING_GRANTED: BudgetGrant = Object.freeze({ items: 0, tokens: 0 });
/** What a request that got no answer spent: its reservation is given back whole. */
export const NOTHING_SPENT: BudgetGrant = NOTHING_GRANTED;

export interface ReadingBudget {
  /**
   * Takes up to `items` of the story's allowance for `day` (YYYY-MM-DD, UTC), with the tokens the estimate says a
   * request of the granted items may cost. Grants as many items as fit both limits (0..items). Atomic: reservers
   * racing for the last of a day never get more than the limits between them. A day whose tokens are spent
   * grants nothing.
   */
  reserve(storyId: string, day: string, items: number, estimate: TokenEstimate): Promise<BudgetGrant>;
  /**
   * Replaces a grant by what the request really spent: the tokens the model counted (more or less than held),
   * and the items it read. A request that got no answer spent nothing (NOTHING_SPENT): all is given back.
   */
  settle(storyId: string, day: string, grant: BudgetGrant, spent: BudgetGrant): Promise<void>;
}

/** The UTC day a reservation at `at` counts against. */
export const budgetDay = (at: Date): string => at.toISOString().slice(0, 10);

export const hasBudgetLimit = (limits: BudgetLimits): boolean =>
  limits.itemsPerDay !== undefined || limits.tokensPerDay !== undefined;

/** The tokens held for a request of `items` items; none for none. */
export const reservedTokens = (estimate: TokenEstimate, items: number): number =>
  items > 0 ? estimate.perRequest + items * estimate.perItem : 0;

/**
 * How many of `wanted` items fit what the day has left, given what is already taken (spent and held): the one
 * arithmetic every adapter grants by, so the memory and table budgets agree.
 */
export function grantableItems(
  limits: BudgetLimits,
  taken: BudgetGrant,
  wanted: number,
  estimate: TokenEstimate,
): number {
  let fits = Math.max(0, wanted);
  if (limits.itemsPerDay !== undefined) fits = Math.min(fits, limits.itemsPerDay - taken.items);
  if (limits.tokensPerDay !== undefined) {
    const left = limits.tokensPerDay - taken.tokens - estimate.perRequest;
    const perItem = Math.max(1, estimate.perItem);
    fits = Math.min(fits, Math.floor(left / perItem));
  }
  return Math.max(0, fits);
}
