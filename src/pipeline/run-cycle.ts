import type { FeedDefinition } from '../core/feed';
import type { StoryStore } from '../core/ports/index';
import type { AlertNotifier } from '../core/ports/notifier';
import { type AnalysisOutcome, type AnalyzeDeps, analyzeBatch } from './analyze-batch';
import { type FeedPollReport, findDueFeeds, type PollDeps, pollFeeds, readFeedStates } from './poll-feeds';
import { type PublishReport, publishPendingAlerts } from './publish-alerts';

export type CycleDeps = PollDeps & AnalyzeDeps & { store: StoryStore; notifier: AlertNotifier };

export interface CycleReport {
  feeds: FeedPollReport[];
  analysis: AnalysisOutcome;
  published: PublishReport;
}

/**
 * One local cycle of the same steps the Lambdas run one by one: read the feed states, poll the due feeds (claiming
 * what is new while fetching goes on), analyze the new items as one batch, save the feed states, then send the
 * outbox, including anything an earlier cycle left pending.
 */
export async function runCycle(
  deps: CycleDeps,
  feeds: FeedDefinition[],
  options: { concurrency: number; onlyDue?: boolean },
): Promise<CycleReport> {
  const states = await readFeedStates(deps.store, feeds);
  const toPoll = options.onlyDue === false ? feeds : await findDueFeeds(deps, feeds, states);
  const polled = await pollFeeds(deps, toPoll, { concurrency: options.concurrency, states });
  const feedReports = polled.map(({ report }) => report);
  const analysis = await analyzeBatch(
    deps,
    feedReports.flatMap((report) => report.newItems),
  );
  // Feed states (with their new validators) are saved only now that every new item has been analyzed and marked.
  await deps.store.putFeedStates(polled.flatMap(({ nextState }) => (nextState ? [nextState] : [])));
  const published = await publishPendingAlerts(deps);
  return { feeds: feedReports, analysis, published };
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
    followUps: report.analysis.followUps,
    stanceChanges: alerts.filter((alert) => alert.kind === 'stance_change').length,
    conditionChanges: alerts.filter((alert) => alert.kind === 'conditions_change').length,
    alertsSent: report.published.sent.length,
    alertsFailed: report.published.failed.length,
  };
}
