import type { FeedItem } from '../core/feed';
import { TooLargeError } from '../core/text-limits';
import { type AnalysisOutcome, type AnalyzeDeps, analyzeBatch, inPublishedOrder } from './analyze-batch';

/** An item whose analysis could not be stored, and whether a retry could ever store it. */
export interface ItemFailure {
  readonly item: FeedItem;
  readonly message: string;
  /** True when no retry can help (a row or key past DynamoDB's limits): the item is counted and left behind. */
  readonly permanent: boolean;
  /** The error itself, when there was one, for a caller that gives up on the whole unit on a retryable failure. */
  readonly cause?: unknown;
}

export interface IsolatedAnalysis {
  /** What the items that went through did, oldest first. */
  readonly outcome: AnalysisOutcome;
  /** The items that did not, each with its reason. */
  readonly failed: readonly ItemFailure[];
}

export const isPermanentFailure = (error: unknown): boolean => error instanceof TooLargeError;

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * The batch as one unit of work, and when that fails, each item on its own, oldest first: so an item no retry can
 * store fails alone and the others are analyzed. Every write is idempotent, so what the failed batch wrote is
 * written again without effect. An item failing on its own for a reason a retry may fix (the store is down) stops
 * the split: the rest fail with it untried, as the whole batch did, instead of each paying the SDK's retries.
 */
export async function analyzeIsolating(deps: AnalyzeDeps, items: FeedItem[]): Promise<IsolatedAnalysis> {
  try {
    return { outcome: await analyzeBatch(deps, items), failed: [] };
  } catch (error) {
    if (items.length <= 1) {
      const permanent = isPermanentFailure(error);
      const failed = items.map((item) => ({ item, message: messageOf(error), permanent, cause: error }));
      return { outcome: mergeOutcomes([]), failed };
    }
  }
  const outcomes: AnalysisOutcome[] = [];
  const failed: ItemFailure[] = [];
  let storeDown: unknown = null;
  for (const item of inPublishedOrder(items)) {
    if (storeDown !== null) {
      failed.push({ item, message: messageOf(storeDown), permanent: false, cause: storeDown });
      continue;
    }
    try {
      outcomes.push(await analyzeBatch(deps, [item]));
    } catch (error) {
      const permanent = isPermanentFailure(error);
      failed.push({ item, message: messageOf(error), permanent, cause: error });
      if (!permanent) storeDown = error;
    }
  }
  return { outcome: mergeOutcomes(outcomes), failed };
}

/** The outcomes of consecutive batches as the outcome of one. */
export function mergeOutcomes(outcomes: readonly AnalysisOutcome[]): AnalysisOutcome {
  return Object.freeze({
    items: Object.freeze(outcomes.flatMap((outcome) => outcome.items)),
    alerts: Object.freeze(outcomes.flatMap((outcome) => outcome.alerts)),
    followUps: outcomes.reduce((total, outcome) => total + outcome.followUps, 0),
  });
}
