import type { FeedDefinition } from '../core/feed';
import type { AlertNotifier } from '../core/ports';
import { type AnalyzeDeps, type ItemAnalysis, inPublishedOrder, startAnalysisBatch } from './analyze-item';
import { type FeedPollReport, fetchFeeds, findDueFeeds, type PollDeps, readFeedStates } from './poll-feeds';
import { type PublishReport, publishPendingAlerts } from './publish-alerts';

export type CycleDeps = PollDeps & AnalyzeDeps & { notifier: AlertNotifier };

export interface CycleReport {
  feeds: FeedPollReport[];
  analyses: ItemAnalysis[];
  published: PublishReport;
}

/**
 * One local cycle of the same steps the Lambdas run one by one: read the feed states, fetch the due feeds and claim
 * what is new while fetching goes on, analyze it (oldest first, so stances move forward in time), write the batch's
 * follow-ups, profiles and analyzed marks, save the feed states, then send the outbox, including anything an
 * earlier cycle left pending.
 */
export async function runCycle(
  deps: CycleDeps,
  feeds: FeedDefinition[],
  options: { concurrency: number; onlyDue?: boolean },
): Promise<CycleReport> {
  const states = await readFeedStates(deps.store, feeds);
  const toPoll = options.onlyDue === false ? feeds : await findDueFeeds(deps, feeds, states);
  const fetched = await fetchFeeds(deps, toPoll, { concurrency: options.concurrency, states });
  const feedReports = fetched.map(({ report }) => report);
  const analyses: ItemAnalysis[] = [];
  const batch = startAnalysisBatch(deps);
  for (const item of inPublishedOrder(feedReports.flatMap((report) => report.newItems))) {
    analyses.push(await batch.analyze(item));
  }
  await batch.finish();
  // Feed states (with their new validators) are saved only now that every new item has been analyzed and marked.
  await deps.store.putFeedStates(fetched.flatMap(({ nextState }) => (nextState ? [nextState] : [])));
  const published = await publishPendingAlerts(deps);
  return { feeds: feedReports, analyses, published };
}

export function summarizeCycle(report: CycleReport) {
  const count = (outcome: FeedPollReport['outcome']) => report.feeds.filter((feed) => feed.outcome === outcome).length;
  const followUps = report.analyses.flatMap((analysis) => analysis.stories).filter((s) => s.classification.followUp);
  const alerts = report.analyses.flatMap((analysis) => analysis.stories.flatMap((s) => s.alerts));
  return {
    feedsPolled: report.feeds.length,
    feedsChanged: count('changed'),
    feedsUnchanged: count('not_modified'),
    feedsFailed: count('failed'),
    newItems: report.analyses.length,
    followUps: followUps.length,
    stanceChanges: alerts.filter((alert) => alert.kind === 'stance_change').length,
    conditionChanges: alerts.filter((alert) => alert.kind === 'conditions_change').length,
    alertsSent: report.published.sent.length,
    alertsFailed: report.published.failed.length,
  };
}
