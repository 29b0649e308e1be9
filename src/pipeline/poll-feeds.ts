import { coalescing, mapWithConcurrency } from '../core/concurrency';
import type { ClassifiedError, FeedDefinition, FeedItem, FeedState, FeedStatus, FetchOutcome } from '../core/feed';
import type { Clock } from '../core/ports/clock';
import type { FeedFetcher } from '../core/ports/feed-fetcher';
import type { FeedStates } from '../core/ports/feed-states';
import type { ItemClaims } from '../core/ports/item-claims';
import type { ItemQueue } from '../core/ports/queues';
import type { StoryHeat } from '../core/ports/story-heat';
import { isHot } from '../ingestion/adaptive-schedule';
import { itemDedupKeys } from '../ingestion/dedup';
import { type FeedScheduleSettings, type PollSignals, scheduleNextPoll } from '../ingestion/feed-schedule';
import { isFeedDue } from '../ingestion/politeness';
import type { ItemFailure } from './analyze-isolated';

export interface PollDeps {
  store: FeedStates & ItemClaims;
  fetcher: FeedFetcher;
  clock: Clock;
  /** The adaptive schedule; without it a feed's next poll is the fetcher's fixed interval. */
  schedule?: FeedScheduleSettings;
  /** The story heat the analyzer keeps (AWS); a hot feed's next poll reads it. Without it the heat counts as 0. */
  heat?: StoryHeat;
  /** WebSub (AWS): a poll of a feed that names a hub asks this whether the feed pushes (subscribing when needed). */
  push?: PushWatch;
}

/**
 * After a poll of a feed that names a hub: subscribes when the feed has no subscription that pushes or is about
 * to, and answers whether its pushes are trusted now (then the poll is only a safety net, at the longest interval).
 */
export interface PushWatch {
  watch(feed: FeedDefinition, found: NonNullable<FeedState['websubHub']>): Promise<boolean>;
}

export interface FeedPollReport {
  feedId: string;
  url: string;
  outcome: 'changed' | 'not_modified' | 'failed';
  status: FeedStatus;
  /** Items to analyze: never seen before, or claimed earlier but never analyzed. */
  newItems: FeedItem[];
  /** Entries the previous document carried unchanged: handed on then, not even parsed now. */
  unchangedItems: number;
  /** Items a claim found stored already (an earlier poll, or the same story syndicated in another feed). */
  duplicateItems: number;
  /** Entries of the feed that could not be turned into an item. */
  skippedItems: number;
  /**
   * Items that could not be stored (refused at the claim for their size, or failed in analysis): each with its
   * reason, reported and left behind so the rest of the feed goes on.
   */
  failedItems: ItemFailure[];
  error: PollFailure | null;
  nextPollAt: string;
}

/** A classified fetch error, or 'internal' when our own side (e.g. the store) failed during the poll. */
export type PollFailure = ClassifiedError | { kind: 'internal'; message: string };

/** A polled feed: its report, and the state to save once its items are safe (null: keep the stored one). */
export interface PolledFeed {
  report: FeedPollReport;
  nextState: FeedState | null;
  /**
   * Set when the feed's claim failed (the store is unreachable): the error itself. The feed is reported failed with
   * no state to save, so its items come back; a caller that must not pass it for a feed's own failure reads this.
   */
  claimFailure?: { cause: unknown };
}

/** The stored states of these feeds, by feed id: a batched read (100 per request) instead of one read per feed. */
export async function readFeedStates(store: FeedStates, feeds: FeedDefinition[]): Promise<Map<string, FeedState>> {
  const states = await store.getFeedStates(feeds.map((feed) => feed.id));
  return new Map(states.map((state) => [state.feedId, state]));
}

/** Feeds whose next poll time has come. Parked and gone feeds wait for a person. */
export async function findDueFeeds(
  deps: { store: FeedStates; clock: Clock },
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

/** What one store call made of a list of items. */
export interface ClaimedItems {
  /** New, or claimed before and never analyzed. */
  toAnalyze: FeedItem[];
  duplicates: number;
  /** Items the store refused for their size: not stored, never analyzed, reported. */
  refused: ItemFailure[];
}

/**
 * Claims the dedup keys of each item in one store call. Returns the items that still need analysis.
 * Used by polling and by replays of archived items, so both dedup the same way.
 */
export async function claimItems(store: ItemClaims, items: FeedItem[]): Promise<ClaimedItems> {
  const claimed: ClaimedItems = { toAnalyze: [], duplicates: 0, refused: [] };
  if (items.length === 0) return claimed;
  const results = await store.claimItems(items.map((item) => ({ item, dedupKeys: itemDedupKeys(item) })));
  for (const [index, item] of items.entries()) {
    const result = results[index];
    if (result?.status === 'duplicate') claimed.duplicates += 1;
    else if (result?.status === 'refused') claimed.refused.push({ item, message: result.reason, permanent: true });
    else claimed.toAnalyze.push(item);
  }
  return claimed;
}

/**
 * Polls one feed: fetch, claim its unseen items, hand them to the item queue, and only then save the feed state with
 * the new validators. If the hand-off fails, the state stays as it was and the retry fetches the items again.
 * `known` is the feed's stored state when the caller read it already (null: none stored).
 */
export async function pollOneFeed(
  deps: PollDeps & { itemQueue: ItemQueue },
  feed: FeedDefinition,
  known?: FeedState | null,
) {
  const state = known === undefined ? await deps.store.getFeedState(feed.id) : known;
  const outcome = await deps.fetcher.fetchFeed(feed, state, deps.clock.now());
  const report = pollReport(outcome, await claimItems(deps.store, itemsOf(outcome)));
  if (report.newItems.length > 0) await deps.itemQueue.sendItems(report.newItems, feed.id);
  const hub = outcome.kind === 'failed' ? undefined : outcome.nextState.websubHub;
  const pushed = hub && deps.push ? await deps.push.watch(feed, hub) : false;
  const saved = await saveRescheduled(deps, state, { report, nextState: outcome.nextState }, pushed);
  return { ...report, nextPollAt: saved.nextPollAt };
}

/** How often a poll's state is rescheduled again on a state the analyzer changed meanwhile. */
const SAVE_ATTEMPTS = 5;

/**
 * Saves the polled state with its next due time, conditioned on the stored state being the one the poll started
 * from: the analyzer may have marked the feed hot meanwhile (a follow-up of an earlier poll), and that mark is
 * kept by scheduling again on top of it. Follow-ups of this poll's own items are known only once the analyzer read
 * them, after this; the feed's rate, hints and the story heat count already.
 */
async function saveRescheduled(
  deps: PollDeps,
  started: FeedState | null,
  polled: PolledFeed,
  pushed: boolean,
): Promise<FeedState> {
  let previous = started;
  for (let attempt = 0; attempt < SAVE_ATTEMPTS; attempt += 1) {
    const storyHeat = await storyHeatFor(deps, previous);
    const [next] = rescheduleFeeds(deps, [polled], new Map(previous ? [[previous.feedId, previous]] : []), () => ({
      followUps: 0,
      storyHeat,
      pushed,
    }));
    const state = next?.nextState ?? (polled.nextState as FeedState);
    if (await deps.store.replaceFeedState(previous, state)) return state;
    previous = await deps.store.getFeedState(polled.report.feedId);
  }
  throw new Error(`feed ${polled.report.feedId}: its state kept changing while saving the poll`);
}

/** The story heat, read only for a feed that is hot (it decides between the hot and the summit interval). */
async function storyHeatFor(deps: PollDeps, state: FeedState | null): Promise<number> {
  if (!deps.heat || !deps.schedule || !isHot(state?.schedule, deps.clock.now(), deps.schedule.schedule)) return 0;
  return deps.heat.followUpsInLastHour(deps.clock.now().toISOString());
}

/**
 * The polled feeds with their next due times from the adaptive schedule (when the deps carry one). `previous`
 * holds the states the polls started from; `signals` says what the analysis learned of each feed's new items.
 */
export function rescheduleFeeds(
  deps: Pick<PollDeps, 'schedule'>,
  polled: PolledFeed[],
  previous: ReadonlyMap<string, FeedState>,
  signals: (report: FeedPollReport) => Omit<PollSignals, 'newItems'>,
): PolledFeed[] {
  const settings = deps.schedule;
  if (!settings) return polled;
  return polled.map(({ report, nextState }) => {
    if (!nextState) return { report, nextState };
    const wanted = { newItems: report.newItems.length, ...signals(report) };
    const scheduled = scheduleNextPoll(previous.get(report.feedId) ?? null, nextState, wanted, settings);
    return { report: { ...report, nextPollAt: scheduled.nextPollAt }, nextState: scheduled };
  });
}

/**
 * Polls feeds with bounded concurrency and claims their new items while the other fetches go on. A feed whose
 * fetch throws is reported as failed with no state to save; it never stops the other feeds. A feed whose claim
 * fails (the store is unreachable) is reported the same way, so its items come back next time. `states` are the
 * stored feed states when the caller read them already; without them each feed reads its own.
 */
export async function pollFeeds(
  deps: PollDeps,
  feeds: FeedDefinition[],
  options: { concurrency: number; states?: Map<string, FeedState> },
): Promise<PolledFeed[]> {
  const { states } = options;
  // Feeds fetched while a claim is under way are claimed together in the next one: few, large store requests,
  // and claiming overlaps with fetching instead of following it. An item syndicated to several is claimed once.
  const claimed = new Set<FeedItem>();
  const refused = new Map<FeedItem, ItemFailure>();
  const claim = coalescing(async (batch: FeedItem[][]) => {
    const result = await claimItems(deps.store, batch.flat());
    for (const item of result.toAnalyze) claimed.add(item);
    for (const failure of result.refused) refused.set(failure.item, failure);
  });
  const claims: Promise<unknown>[] = feeds.map(() => Promise.resolve());
  let settled: PromiseSettledResult<FetchOutcome>[];
  try {
    settled = await mapWithConcurrency(feeds, options.concurrency, async (feed, index) => {
      const known = states ? (states.get(feed.id) ?? null) : await deps.store.getFeedState(feed.id);
      const outcome = await deps.fetcher.fetchFeed(feed, known, deps.clock.now());
      // Not awaited here: the fetch slot goes to the next feed while the claim waits for its batch. A failed claim
      // is read by allSettled below; until then this handler keeps it from counting as an unhandled rejection.
      if (itemsOf(outcome).length > 0) {
        const claiming = claim(itemsOf(outcome));
        claiming.catch(() => {});
        claims[index] = claiming;
      }
      return outcome;
    });
  } finally {
    deps.fetcher.closeConnections();
  }
  const claimResults = await Promise.allSettled(claims);
  return settled.map((result, index): PolledFeed => {
    const feed = feeds[index] as FeedDefinition;
    if (result.status === 'rejected') return failedInternally(deps, feed, result.reason);
    const claimResult = claimResults[index];
    if (claimResult?.status === 'rejected') {
      return { ...failedInternally(deps, feed, claimResult.reason), claimFailure: { cause: claimResult.reason } };
    }
    const outcome = result.value;
    const items = itemsOf(outcome);
    const claims = {
      toAnalyze: items.filter((item) => claimed.has(item)),
      refused: items.flatMap((item) => refused.get(item) ?? []),
    };
    return { report: pollReport(outcome, claims), nextState: outcome.nextState };
  });
}

/** The report of one feed, built once its claims are known. */
function pollReport(outcome: FetchOutcome, claims: Pick<ClaimedItems, 'toAnalyze' | 'refused'>): FeedPollReport {
  const { nextState } = outcome;
  const { toAnalyze, refused } = claims;
  const changed = outcome.kind === 'changed' ? outcome : null;
  return {
    feedId: nextState.feedId,
    url: nextState.url,
    outcome: outcome.kind,
    status: nextState.status,
    newItems: toAnalyze,
    unchangedItems: changed?.unchangedItems ?? 0,
    duplicateItems: (changed?.items.length ?? 0) - toAnalyze.length - refused.length,
    skippedItems: changed?.skippedItems ?? 0,
    failedItems: refused,
    error: outcome.kind === 'failed' ? outcome.error : null,
    nextPollAt: nextState.nextPollAt,
  };
}

/** Items of entries the feed did not carry last time: the ones to claim. */
const itemsOf = (outcome: FetchOutcome): FeedItem[] => (outcome.kind === 'changed' ? outcome.items : []);

function failedInternally(deps: PollDeps, feed: FeedDefinition, reason: unknown): PolledFeed {
  const report: FeedPollReport = {
    feedId: feed.id,
    url: feed.url,
    outcome: 'failed',
    status: 'active',
    newItems: [],
    unchangedItems: 0,
    duplicateItems: 0,
    skippedItems: 0,
    failedItems: [],
    error: { kind: 'internal', message: reason instanceof Error ? reason.message : String(reason) },
    nextPollAt: deps.clock.now().toISOString(),
  };
  return { report, nextState: null };
}
