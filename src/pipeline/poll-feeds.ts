import { createHash } from 'node:crypto';
import type { ClassifiedError, FeedDefinition, FeedItem, FeedState, FeedStatus } from '../core/feed';
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
  if (items.length === 0) return { toAnalyze: [], duplicates: 0 };
  // One call per feed: the store looks all keys up at once and claims the new items together.
  const results = await store.recordItems(items.map((item) => ({ item, dedupKeys: itemDedupKeys(item) })));
  const toAnalyze = items.filter((_, index) => results[index]?.status !== 'duplicate');
  return { toAnalyze, duplicates: items.length - toAnalyze.length };
}

/** What one fetch found, before the feed state is saved. */
export interface FetchedFeed {
  report: FeedPollReport;
  nextState: FeedState;
}

/** How many item digests a feed state keeps: a little more than the longest feeds carry. */
const MAX_SEEN_DIGESTS = 300;

/** 12 hex characters of the id's SHA-1: small enough to keep hundreds per feed state, collisions negligible per feed. */
export function itemDigest(itemId: string): string {
  return createHash('sha1').update(itemId).digest('hex').slice(0, 12);
}

/**
 * Fetches one feed and claims its new items, without saving the feed state: the caller saves it only once the
 * new items are safe (enqueued or analyzed), so a crash in between makes the next attempt see them again.
 */
export async function fetchFeed(deps: PollDeps, feed: FeedDefinition): Promise<FetchedFeed> {
  const state = await deps.store.getFeedState(feed.id);
  const outcome = await deps.fetcher.poll(feed, state, deps.clock.now());
  let newItems: FeedItem[] = [];
  let duplicateItems = 0;
  let skippedItems = 0;
  let nextState = outcome.nextState;
  if (outcome.kind === 'changed') {
    // Items of the previous document were handed on already: skip them without asking the store.
    const seen = new Set(state?.seenItemDigests ?? []);
    const unseen = outcome.items.filter((item) => !seen.has(itemDigest(item.id)));
    const recorded = await recordItems(deps.store, unseen);
    newItems = recorded.toAnalyze;
    duplicateItems = recorded.duplicates + (outcome.items.length - unseen.length);
    skippedItems = outcome.skippedItems;
    nextState = {
      ...nextState,
      seenItemDigests: outcome.items.slice(0, MAX_SEEN_DIGESTS).map((item) => itemDigest(item.id)),
    };
  }
  const report: FeedPollReport = {
    feedId: feed.id,
    url: nextState.url,
    outcome: outcome.kind,
    status: nextState.status,
    newItems,
    duplicateItems,
    skippedItems,
    error: outcome.kind === 'failed' ? outcome.error : null,
    nextPollAt: nextState.nextPollAt,
  };
  return { report, nextState };
}

/**
 * Polls one feed, hands its new items on (to the analyze queue in AWS) and only then saves the feed state with
 * the new validators. If the hand-off fails, the state stays as it was and the retry fetches the items again.
 */
export async function pollOneFeed(
  deps: PollDeps,
  feed: FeedDefinition,
  handOff: (items: FeedItem[]) => Promise<void> = async () => {},
): Promise<FeedPollReport> {
  const { report, nextState } = await fetchFeed(deps, feed);
  if (report.newItems.length > 0) await handOff(report.newItems);
  await deps.store.putFeedState(nextState);
  return report;
}

/**
 * Fetches feeds with bounded concurrency. A feed whose fetch throws (e.g. the store is unreachable) is reported
 * as failed with no state to save; it never stops the other feeds.
 */
export async function fetchFeeds(
  deps: PollDeps,
  feeds: FeedDefinition[],
  options: { concurrency: number },
): Promise<{ report: FeedPollReport; nextState: FeedState | null }[]> {
  const settled = await mapWithConcurrency(feeds, options.concurrency, (feed) => fetchFeed(deps, feed));
  return settled.map((result, index) => {
    if (result.status === 'fulfilled') return result.value;
    const feed = feeds[index] as FeedDefinition;
    const report: FeedPollReport = {
      feedId: feed.id,
      url: feed.url,
      outcome: 'failed',
      status: 'active',
      newItems: [],
      duplicateItems: 0,
      skippedItems: 0,
      error: { kind: 'internal', message: describeError(result.reason) },
      nextPollAt: deps.clock.now().toISOString(),
    };
    return { report, nextState: null };
  });
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
