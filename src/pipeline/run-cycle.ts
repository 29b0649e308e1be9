import type { FeedDefinition, FeedState } from '../core/feed';
import type { StoryStore } from '../core/ports/index';
import type { AlertNotifier } from '../core/ports/notifier';
import { storyHeatPerHour } from '../ingestion/feed-schedule';
import type { AnalysisOutcome, AnalyzeDeps } from './analyze-batch';
import { analyzeIsolating, type ItemFailure } from './analyze-isolated';
import {
  type FeedPollReport,
  findDueFeeds,
  type PollDeps,
  type PolledFeed,
  pollFeeds,
  readFeedStates,
  rescheduleFeeds,
} from './poll-feeds';
import { emptyPublishReport, type PublishReport, publishPendingAlerts } from './publish-alerts';

export type CycleDeps = PollDeps & AnalyzeDeps & { store: StoryStore; notifier: AlertNotifier };

export interface CycleReport {
  feeds: FeedPollReport[];
  analysis: AnalysisOutcome;
  published: PublishReport;
}

/**
 * A cycle stopped by a failure a retry may fix (the store is down): `report` says what it did before that, with the
 * items left for the next cycle in their feeds' `failedItems`. The message is the failure's own.
 */
export class CycleFailedError extends Error {
  constructor(
    readonly report: CycleReport,
    cause: unknown,
    /** Feeds whose state was saved before the cycle stopped (the others are fetched again in full). */
    readonly savedFeeds: number,
  ) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
    this.name = 'CycleFailedError';
  }
}

/**
 * One local cycle of the same steps the Lambdas run one by one: read the feed states, poll the due feeds (claiming
 * what is new while fetching goes on), analyze the new items as one batch, save the feed states, then send the
 * outbox, including anything an earlier cycle left pending. An item the store cannot hold fails alone (reported in
 * its feed's `failedItems`); the others are analyzed and every feed's state is saved. A failure a retry may fix
 * (an item's analysis, a feed's claim) leaves the state of each feed it touched unsaved, so the next cycle hands
 * those items on again, saves the others and throws a CycleFailedError carrying the report.
 */
export async function runCycle(
  deps: CycleDeps,
  feeds: FeedDefinition[],
  options: { concurrency: number; onlyDue?: boolean },
): Promise<CycleReport> {
  const states = await readFeedStates(deps.store, feeds);
  const toPoll = options.onlyDue === false ? feeds : await findDueFeeds(deps, feeds, states);
  const fetched = await pollFeeds(deps, toPoll, { concurrency: options.concurrency, states });
  const isolated = await analyzeIsolating(
    deps,
    fetched.flatMap(({ report }) => report.newItems),
  );
  const analysis = isolated.outcome;
  const polled = scheduleByAnalysis(deps, withItemFailures(fetched, isolated.failed), states, analysis);
  const feedReports = polled.map(({ report }) => report);
  const stopped = retryableFailure(fetched, isolated.failed);
  if (stopped) throw await failedCycle(deps, polled, analysis, stopped.cause);
  // Feed states (with their new validators) are saved only now that every new item has been analyzed and marked.
  await deps.store.putFeedStates(polled.flatMap(({ nextState }) => (nextState ? [nextState] : [])));
  const published = await publishPendingAlerts(deps);
  return { feeds: feedReports, analysis, published };
}

/**
 * The first failure a retry may fix: an item's analysis, or a feed's claim. Either stops the cycle, so `run --once`
 * exits with that error instead of passing a failed claim for a feed that failed on its own.
 */
function retryableFailure(fetched: PolledFeed[], failed: readonly ItemFailure[]): { cause: unknown } | null {
  const item = failed.find((failure) => !failure.permanent);
  if (item) return { cause: item.cause ?? new Error(item.message) };
  return fetched.find((feed) => feed.claimFailure)?.claimFailure ?? null;
}

/**
 * After a failure a retry may fix: saves the state of every feed whose new items all went through (or failed for
 * good), so only the feeds with an item left over are fetched again in full, and sends what the analysis committed.
 * The store may be down, so whatever fails here is secondary: the cycle's error stays the failure that stopped it.
 */
async function failedCycle(
  deps: CycleDeps,
  polled: PolledFeed[],
  analysis: AnalysisOutcome,
  cause: unknown,
): Promise<CycleFailedError> {
  const retried = (report: FeedPollReport) => report.failedItems.some((failure) => !failure.permanent);
  const clean = polled.filter(({ report }) => !retried(report));
  let published = emptyPublishReport();
  const toSave = clean.flatMap(({ nextState }) => (nextState ? [nextState] : []));
  let savedFeeds = 0;
  try {
    if (toSave.length > 0) await deps.store.putFeedStates(toSave);
    savedFeeds = toSave.length;
    published = await publishPendingAlerts(deps);
  } catch {
    // Nothing is lost: unsaved states make the next cycle fetch those feeds again, unsent alerts stay pending.
  }
  const report = { feeds: polled.map(({ report }) => report), analysis, published };
  return new CycleFailedError(report, cause, savedFeeds);
}

/** Each item no retry can store, in the report of the feed that brought it; the feed's state is saved as usual. */
function withItemFailures(polled: PolledFeed[], failed: readonly ItemFailure[]): PolledFeed[] {
  if (failed.length === 0) return polled;
  const byItem = new Map(failed.map((failure) => [failure.item, failure]));
  return polled.map(({ report, nextState }) => {
    const own = report.newItems.flatMap((item) => byItem.get(item) ?? []);
    if (own.length === 0) return { report, nextState };
    return { report: { ...report, failedItems: [...report.failedItems, ...own] }, nextState };
  });
}

/** Next due times once the analysis said which new items were follow-ups: those make their feeds hot. */
function scheduleByAnalysis(
  deps: PollDeps,
  polled: PolledFeed[],
  states: Map<string, FeedState>,
  analysis: AnalysisOutcome,
): PolledFeed[] {
  const followUpIds = new Set(
    analysis.items
      .filter((item) => item.stories.some((story) => story.classification.followUp))
      .map((item) => item.itemId),
  );
  const followUpsOf = (report: FeedPollReport) => report.newItems.filter((item) => followUpIds.has(item.id)).length;
  const hotNow = polled.filter(({ report }) => followUpsOf(report) > 0).map(({ report }) => report.feedId);
  const others = [...states.values()].filter((state) => !hotNow.includes(state.feedId));
  const storyHeat = storyHeatPerHour(others, deps.clock.now()) + hotNow.length;
  return rescheduleFeeds(deps, polled, states, (report) => ({ followUps: followUpsOf(report), storyHeat }));
}

export function summarizeCycle(report: CycleReport) {
  const count = (outcome: FeedPollReport['outcome']) => report.feeds.filter((feed) => feed.outcome === outcome).length;
  const { alerts } = report.analysis;
  return {
    feedsPolled: report.feeds.length,
    feedsChanged: count('changed'),
    feedsUnchanged: count('not_modified'),
    feedsFailed: count('failed'),
    newItems: report.analysis.items.length,
    itemsFailed: report.feeds.reduce((total, feed) => total + feed.failedItems.length, 0),
    followUps: report.analysis.followUps,
    stanceChanges: alerts.filter((alert) => alert.kind === 'stance_change').length,
    conditionChanges: alerts.filter((alert) => alert.kind === 'conditions_change').length,
    alertsSent: report.published.sent.length,
    alertsFailed: report.published.failed.length,
    alertsParked: report.published.parked.length,
  };
}
