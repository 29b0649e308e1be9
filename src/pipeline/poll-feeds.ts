import type { ClassifiedError, FeedDefinition, FeedItem, FeedStatus } from '../core/feed';
import type { Clock, FeedFetcher, StoryStore } from '../core/ports';
import { isFeedDue, itemDedupKeys, mapWithConcurrency } from '../ingestion/index';

export interface PollDeps {
  store: StoryStore;
  fetcher: FeedFetcher;
  clock: Clock;
}

export interface FeedPollReport {
  feedId: string;
  url: string;
  outcome: 'changed' | 'not_modified' | 'failed';
  status: FeedStatus;
  /** Items to analyze: never seen before, or claimed earlier but never analyzed. */
  newItems: FeedItem[];
  /** Items already stored under one of their dedup keys (same feed or syndicated elsewhere). */
  duplicateItems: number;
  /** Entries of the feed that could not be turned into an item. */
  skippedItems: number;
  error: PollFailure | null;
  nextPollAt: string;
}

/** A classified fetch error, or 'internal' when our own side (e.g. the store) failed during the poll. */
export type PollFailure = ClassifiedError | { kind: 'internal'; message: string };

/** Feeds whose next poll time has come. Parked and gone feeds wait for a person. */
export async function findDueFeeds(
  deps: Pick<PollDeps, 'store' | 'clock'>,
  feeds: FeedDefinition[],
): Promise<FeedDefinition[]> {
  const now = deps.clock.now();
  const states = new Map((await deps.store.listFeedStates()).map((state) => [state.feedId, state]));
  return feeds.filter((feed) => {
    const state = states.get(feed.id);
    return state === undefined || isFeedDue(state, now);
  });
}

/**
 * Claims the dedup keys of each item. Returns the items that still need analysis.
 * Used by polling and by replays of archived items, so both dedup the same way.
 */
export async function recordItems(
  store: StoryStore,
  items: FeedItem[],
): Promise<{ toAnalyze: FeedItem[]; duplicates: number }> {
  const toAnalyze: FeedItem[] = [];
  let duplicates = 0;
  for (const item of items) {
    const result = await store.recordItem(item, itemDedupKeys(item));
    if (result.status === 'duplicate') duplicates += 1;
    else toAnalyze.push(item);
  }
  return { toAnalyze, duplicates };
}

/**
 * Polls one feed and stores what it found. The feed state is saved last: if anything before it fails,
 * the next attempt polls again without the new validators, and the item claims make that harmless.
 */
export async function pollOneFeed(deps: PollDeps, feed: FeedDefinition): Promise<FeedPollReport> {
  const state = await deps.store.getFeedState(feed.id);
  const outcome = await deps.fetcher.poll(feed, state, deps.clock.now());
  let newItems: FeedItem[] = [];
  let duplicateItems = 0;
  let skippedItems = 0;
  if (outcome.kind === 'changed') {
    const recorded = await recordItems(deps.store, outcome.items);
    newItems = recorded.toAnalyze;
    duplicateItems = recorded.duplicates;
    skippedItems = outcome.skippedItems;
  }
  await deps.store.putFeedState(outcome.nextState);
  return {
    feedId: feed.id,
    url: outcome.nextState.url,
    outcome: outcome.kind,
    status: outcome.nextState.status,
    newItems,
    duplicateItems,
    skippedItems,
    error: outcome.kind === 'failed' ? outcome.error : null,
    nextPollAt: outcome.nextState.nextPollAt,
  };
}

/**
 * Polls feeds with bounded concurrency. A feed whose polling throws (e.g. the store is unreachable) is reported
 * as failed; it never stops the other feeds.
 */
export async function pollFeeds(
  deps: PollDeps,
  feeds: FeedDefinition[],
  options: { concurrency: number },
): Promise<FeedPollReport[]> {
  const settled = await mapWithConcurrency(feeds, options.concurrency, (feed) => pollOneFeed(deps, feed));
  return settled.map((result, index) => {
    if (result.status === 'fulfilled') return result.value;
    const feed = feeds[index] as FeedDefinition;
    return {
      feedId: feed.id,
      url: feed.url,
      outcome: 'failed',
      status: 'active',
      newItems: [],
      duplicateItems: 0,
      skippedItems: 0,
      error: { kind: 'internal', message: describeError(result.reason) },
      nextPollAt: deps.clock.now().toISOString(),
    } satisfies FeedPollReport;
  });
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
