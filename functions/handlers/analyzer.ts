import { METRIC, READER_METRIC } from '../../src/config/metrics';
import type { FeedItem } from '../../src/core/feed';
import type { AlertNotifier } from '../../src/core/ports/notifier';
import type { Outbox } from '../../src/core/ports/outbox';
import type { AnalysisOutcome, AnalyzeDeps } from '../../src/pipeline/analyze-batch';
import { analyzeIsolating, type ItemFailure } from '../../src/pipeline/analyze-isolated';
import { type FeedHeatDeps, followUpsByFeed, heatFeeds } from '../../src/pipeline/feed-heat';
import { publishAlerts } from '../../src/pipeline/publish-alerts';
import { failuresOf, parseRecords } from '../lib/batch';
import type { InvocationContext, SqsBatchResponse, SqsEvent, SqsRecord } from '../lib/events';
import { parseItemMessage } from '../lib/messages';
import type { Log, MetricsSink } from '../lib/observability';
import { reportParkedAlerts } from '../lib/parked-alerts';
import { refreshSite, type SiteHandlerDeps, storiesChangedBy } from '../lib/site';

/** With `site`, the hosted story pages and feeds are regenerated after a batch that changed a story. */
export interface AnalyzerDeps extends AnalyzeDeps, Omit<SiteHandlerDeps, 'clock'> {
  store: AnalyzeDeps['store'] & Outbox & FeedHeatDeps['store'];
  notifier: AlertNotifier;
  /** Tells the schedule which feeds carried follow-ups; without it (tests of other things) no feed gets hot. */
  feedHeat?: Pick<FeedHeatDeps, 'due' | 'heat' | 'schedule'>;
  metrics: MetricsSink;
  log: Log;
}

/**
 * Item messages → one analysis batch, then the alerts it committed are sent right away instead of waiting for the
 * publisher's sweep. A failed send leaves the alert pending for that sweep, so it never fails the items.
 */
export function createAnalyzerHandler(deps: AnalyzerDeps) {
  return async (event: SqsEvent, _context?: InvocationContext): Promise<SqsBatchResponse> => {
    const { parsed, malformed } = parseRecords(event.Records, parseItemMessage, deps.log);
    try {
      const { outcome, failed } = await analyzeIsolating(
        deps,
        parsed.map((entry) => entry.value.item),
      );
      countOutcome(deps, outcome);
      const failedRecords = recordsOf(parsed, failed, deps);
      await sendCommitted(deps, outcome);
      await markHotFeeds(
        deps,
        outcome,
        parsed.map((entry) => entry.value),
      );
      await refreshSite(deps, storiesChangedBy(outcome), { retryStale: false });
      // Only the records that failed come back (partial batch response); the others are analyzed and marked.
      return failuresOf([...malformed, ...failedRecords]);
    } catch (error) {
      // Nothing of the batch is marked done, so every record comes back and is analyzed again, idempotently.
      deps.log.error('writing the batch failed; SQS will redeliver every record', { error });
      return failuresOf(event.Records);
    } finally {
      deps.metrics.flush();
    }
  };
}

/** The records of the items that failed, each logged and counted: SQS redelivers them, then parks them in the DLQ. */
function recordsOf(
  parsed: { record: SqsRecord; value: { item: FeedItem } }[],
  failed: readonly ItemFailure[],
  deps: AnalyzerDeps,
): SqsRecord[] {
  deps.metrics.count(METRIC.itemsFailed, failed.length);
  return failed.flatMap((failure) => {
    const entry = parsed.find(({ value }) => value.item === failure.item);
    deps.log.error('item could not be stored; SQS will redeliver it alone', {
      itemId: failure.item.id,
      messageId: entry?.record.messageId,
      permanent: failure.permanent,
      error: failure.message,
    });
    return entry ? [entry.record] : [];
  });
}

function countOutcome(deps: AnalyzerDeps, outcome: AnalysisOutcome): void {
  for (const item of outcome.items) {
    const followUps = item.stories.filter((story) => story.classification.followUp).length;
    deps.log.info('analyzed item', { itemId: item.itemId, followUps });
  }
  deps.metrics.count(METRIC.followUps, outcome.followUps);
  countReadings(deps, outcome);
  deps.metrics.count(METRIC.stanceChanges, outcome.alerts.filter((alert) => alert.kind === 'stance_change').length);
}

/** What the reader did, for the fallback-share and budget alarms; nothing when the rules read everything. */
function countReadings(deps: AnalyzerDeps, outcome: AnalysisOutcome): void {
  const readings = outcome.items.flatMap((item) => item.stories.map((story) => story.classification));
  const model = readings.filter((reading) => reading.reader !== 'rules').length;
  const fallbacks = readings.filter((reading) => reading.fallbackReason !== undefined);
  if (model + fallbacks.length === 0) return;
  deps.metrics.count(READER_METRIC.modelReadings, model);
  deps.metrics.count(READER_METRIC.fallbacks, fallbacks.length);
  deps.metrics.count(
    READER_METRIC.budgetFallbacks,
    fallbacks.filter((reading) => reading.fallbackReason === 'budget').length,
  );
}

/**
 * The follow-ups make their feeds hot, so those are polled again soon. Best effort: the analysis is committed and
 * the alerts are out; failing the batch for this would only read every item again. The poll after the next one
 * still finds its own pace, and a redelivery would count nothing twice (heatFeeds).
 */
async function markHotFeeds(
  deps: AnalyzerDeps,
  outcome: AnalysisOutcome,
  messages: { item: { id: string }; feedId: string | null }[],
): Promise<void> {
  if (!deps.feedHeat) return;
  const feedOf = new Map(messages.flatMap(({ item, feedId }) => (feedId ? [[item.id, feedId] as const] : [])));
  try {
    const report = await heatFeeds(
      { ...deps.feedHeat, store: deps.store, clock: deps.clock },
      followUpsByFeed(outcome, feedOf),
    );
    if (report.advanced.length > 0) deps.log.info('feeds made hot', { ...report });
  } catch (error) {
    deps.log.warn('could not mark the feeds of the follow-ups hot; their schedule stays as polled', { error });
  }
}

async function sendCommitted(deps: AnalyzerDeps, outcome: AnalysisOutcome): Promise<void> {
  if (outcome.alerts.length === 0) return;
  try {
    const report = await publishAlerts(deps, outcome.alerts);
    deps.metrics.count(METRIC.alertsSent, report.sent.length);
    reportParkedAlerts(deps, report);
    if (report.failed.length > 0) {
      deps.log.warn('alerts left pending for the sweep', { failed: report.failed.map((failure) => failure.alertId) });
    }
  } catch (error) {
    deps.log.warn('publishing after analysis failed; the sweep will retry', { error });
  }
}
