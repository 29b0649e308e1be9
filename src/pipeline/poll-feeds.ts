import { coalescing, mapWithConcurrency } from '../core/concurrency';
import type { ClassifiedError, FeedDefinition, FeedItem, FeedState, FeedStatus } from '../core/feed';
import type { Clock, FeedFetcher, StoryStore } from '../core/ports';
import { itemDedupKeys } from '../ingestion/dedup';
import { isFeedDue } from '../ingestion/politeness';

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

/** The stored states of these feeds, by feed id: a batched read (100 per request) instead of one read per feed. */
export async function readFeedStates(store: StoryStore, feeds: FeedDefinition[]): Promise<Map<string, FeedState>> {
  const states = await store.getFeedStates(feeds.map((feed) => feed.id));
  return new Map(states.map((state) => [state.feedId, state]));
}

/** Feeds whose next poll time has come. Parked and gone feeds wait for a person. */
export async function findDueFeeds(
  deps: Pick<PollDeps, 'store' | 'clock'>,
  feeds: FeedDefinition[],
  states?: Map<string, FeedState>,
): Promise<FeedDefinition[]> {
  const now = deps.clock.now();
  const known = states ?? (await readFeedStates(deps.store, feeds));
  return feeds.filter((feed) => {
    const state = known.get(feed.id);
    return state === undefined || isFeedDue(state, now);
  });
}

/**
 * Claims the dedup keys of each item. Returns the items that still need analysis.
 * Used by polling and by replays of archived items, so both dedup the same way.
 */
export async function claimItems(
  store: StoryStore,
  items: FeedItem[],
): Promise<{ toAnalyze: FeedItem[]; duplicates: number }> {
  if (items.length === 0) return { toAnalyze: [], duplicates: 0 };
  // One store call: it looks all keys up at once and claims the new items together.
  const results = await store.claimItems(items.map((item) => ({ item, dedupKeys: itemDedupKeys(item) })));
  const toAnalyze = items.filter((_, index) => results[index]?.status !== 'duplicate');
  return { toAnalyze, duplicates: items.length - toAnalyze.length };
}

/** What one fetch found, before the feed state is saved. */
export interface FetchedFeed {
  report: FeedPollReport;
  nextState: FeedState;
}

/**
 * Fetches one feed, without claiming its items or saving its state. `report.newItems` holds the items of entries
 * the feed did not carry last time; claimNewItems narrows them to the ones never stored. `state` is the stored
 * feed state when the caller read it already (null: none stored); left out, it is read here.
 */
export async function fetchFeed(deps: PollDeps, feed: FeedDefinition, state?: FeedState | null): Promise<FetchedFeed> {
  const current = state === undefined ? await deps.store.getFeedState(feed.id) : state;
  const outcome = await deps.fetcher.poll(feed, current, deps.clock.now());
  const { nextState } = outcome;
  const changed = outcome.kind === 'changed' ? outcome : null;
  const report: FeedPollReport = {
    feedId: feed.id,
    url: nextState.url,
    outcome: outcome.kind,
    status: nextState.status,
    newItems: changed?.items ?? [],
    // Entries of the previous document were handed on already; the fetcher did not even parse them.
    duplicateItems: changed?.unchangedItems ?? 0,
    skippedItems: changed?.skippedItems ?? 0,
    error: outcome.kind === 'failed' ? outcome.error : null,
    nextPollAt: nextState.nextPollAt,
  };
  return { report, nextState };
}

/**
 * Claims the unseen items of many fetched feeds in one store call, so an item syndicated to several of them is
 * claimed once, and leaves in each report only the items that still need analysis.
 */
export async function claimNewItems(store: StoryStore, fetched: FetchedFeed[]): Promise<void> {
  const unseen = fetched.flatMap(({ report }) => report.newItems);
  const { toAnalyze } = await claimItems(store, unseen);
  const kept = new Set(toAnalyze);
  for (const { report } of fetched) {
    const before = report.newItems.length;
    report.newItems = report.newItems.filter((item) => kept.has(item));
    report.duplicateItems += before - report.newItems.length;
  }
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
  const fetched = await fetchFeed(deps, feed);
  await claimNewItems(deps.store, [fetched]);
  const { report, nextState } = fetched;
  if (report.newItems.length > 0) await handOff(report.newItems);
  await deps.store.putFeedStates([nextState]);
  return report;
}

/**
 * Fetches feeds with bounded concurrency and claims their new items while the other fetches go on. A feed whose
 * fetch throws is reported as failed with no state to save; it never stops the other feeds. A feed whose claim
 * fails (the store is unreachable) is reported the same way, so its items come back next time. `states` are the
 * stored feed states when the caller read them already; without them each feed reads its own.
 */
export async function fetchFeeds(
  deps: PollDeps,
  feeds: FeedDefinition[],
  options: { concurrency: number; states?: Map<string, FeedState> },
): Promise<{ report: FeedPollReport; nextState: FeedState | null }[]> {
  const { states } = options;
  // Feeds fetched while a claim is under way are claimed together in the next one: few, large store requests,
  // and claiming overlaps with fetching instead of following it.
  const claim = coalescing((batch: FetchedFeed[]) => claimNewItems(deps.store, batch));
  const claims: Promise<unknown>[] = feeds.map(() => Promise.resolve());
  let settled: PromiseSettledResult<FetchedFeed>[];
  try {
    settled = await mapWithConcurrency(feeds, options.concurrency, async (feed, index) => {
      const fetched = await fetchFeed(deps, feed, states ? (states.get(feed.id) ?? null) : undefined);
      // Not awaited here: the fetch slot goes to the next feed while the claim waits for its batch. A failed claim
      // is read by allSettled below; until then this handler keeps it from counting as an unhandled rejection.
      if (fetched.report.newItems.length > 0) {
        const claimed = claim(fetched);
        claimed.catch(() => {});
        claims[index] = claimed;
      }
      return fetched;
    });
  } finally {
    deps.fetcher.closeConnections();
  }
  const claimed = await Promise.allSettled(claims);
  return settled.map((result, index) => {
    const feed = feeds[index] as FeedDefinition;
    if (result.status === 'rejected') return failedInternally(deps, feed, result.reason);
    const claimResult = claimed[index];
    if (claimResult?.status === 'rejected') return failedInternally(deps, feed, claimResult.reason);
    return result.value;
  });
}

function failedInternally(
  deps: PollDeps,
  feed: FeedDefinition,
  reason: unknown,
): { report: FeedPollReport; nextState: null } {
  const report: FeedPollReport = {
    feedId: feed.id,
    url: feed.url,
    outcome: 'failed',
    status: 'active',
    newItems: [],
    duplicateItems: 0,
    skippedItems: 0,
    error: { kind: 'internal', message: describeError(reason) },
    nextPollAt: deps.clock.now().toISOString(),
  };
  return { report, nextState: null };
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
