import { METRIC } from '../../src/config/metrics';
import type { FeedItem } from '../../src/core/feed';
import type { AlertNotifier } from '../../src/core/ports';
import {
  type AnalyzeDeps,
  type ItemAnalysis,
  inPublishedOrder,
  startAnalysisBatch,
} from '../../src/pipeline/analyze-item';
import { publishPendingAlerts } from '../../src/pipeline/publish-alerts';

import { MalformedMessageError, parseJsonBody, processSqsBatch } from '../lib/batch';
import type { InvocationContext, SqsBatchResponse, SqsEvent, SqsRecord } from '../lib/events';
import type { Log, MetricsSink } from '../lib/observability';

export interface AnalyzerDeps extends AnalyzeDeps {
  notifier: AlertNotifier;
  metrics: MetricsSink;
  log: Log;
}

/**
 * Item messages → analyze each, then send the alerts this batch committed right away instead of waiting for the
 * publisher's sweep. A failed send leaves the alert pending for that sweep, so it never fails the items.
 */
export function createAnalyzerHandler(deps: AnalyzerDeps) {
  return async (event: SqsEvent, context?: InvocationContext): Promise<SqsBatchResponse> => {
    const analyses: ItemAnalysis[] = [];
    // One profile and stance read per story for the whole batch; stance changes, follow-ups, profiles and analyzed
    // marks are written once every record was handled.
    const batch = startAnalysisBatch(deps);
    try {
      const response = await processSqsBatch(
        { Records: oldestFirst(event.Records) },
        context,
        async (record) => {
          const item = parseFeedItem(parseJsonBody(record));
          const analysis = await batch.analyze(item);
          analyses.push(analysis);
          const followUps = analysis.stories.filter((story) => story.classification.followUp).length;
          deps.log.info('analyzed item', { itemId: item.id, source: item.source, followUps });
        },
        // Stances only move forward in time, so items of one batch are applied in published order, one by one.
        { inParallel: false, log: deps.log },
      );
      try {
        await batch.finish();
      } catch (error) {
        // Nothing of the batch is marked done, so every record comes back and is analyzed again, idempotently.
        deps.log.error('writing the batch failed; SQS will redeliver every record', { error });
        return { batchItemFailures: event.Records.map(({ messageId }) => ({ itemIdentifier: messageId })) };
      }
      // Counted once the batch is written: finish() corrects the alerts of items applied again after a conflict.
      const stories = analyses.flatMap((analysis) => analysis.stories);
      const alerts = stories.flatMap((story) => story.alerts);
      deps.metrics.count(METRIC.followUps, stories.filter((story) => story.classification.followUp).length);
      deps.metrics.count(METRIC.stanceChanges, alerts.filter((alert) => alert.kind === 'stance_change').length);
      if (alerts.length > 0) await publishNow(deps);
      return response;
    } finally {
      deps.metrics.flush();
    }
  };
}

async function publishNow(deps: AnalyzerDeps): Promise<void> {
  try {
    const report = await publishPendingAlerts(deps);
    deps.metrics.count(METRIC.alertsSent, report.sent.length);
    if (report.failed.length > 0) {
      deps.log.warn('alerts left pending for the sweep', { failed: report.failed.map((failure) => failure.alertId) });
    }
  } catch (error) {
    deps.log.warn('publishing after analysis failed; the sweep will retry', { error });
  }
}

function oldestFirst(records: SqsRecord[]): SqsRecord[] {
  const withItems = records.map((record) => ({ record, item: tryParseItem(record) }));
  const parsed = withItems.filter((entry) => entry.item !== null);
  const ordered = inPublishedOrder(parsed.map((entry) => entry.item as FeedItem));
  const byItem = new Map(parsed.map((entry) => [entry.item as FeedItem, entry.record]));
  // Unparseable records go last; processing them fails them individually.
  return [
    ...ordered.map((item) => byItem.get(item) as SqsRecord),
    ...withItems.filter((entry) => entry.item === null).map((entry) => entry.record),
  ];
}

function tryParseItem(record: SqsRecord): FeedItem | null {
  try {
    return parseFeedItem(JSON.parse(record.body));
  } catch {
    return null;
  }
}

export function parseFeedItem(body: unknown): FeedItem {
  if (typeof body !== 'object' || body === null) throw new MalformedMessageError('item message is not an object');
  const item = body as Record<string, unknown>;
  for (const field of ['id', 'title', 'description', 'source'] as const) {
    if (typeof item[field] !== 'string')
      throw new MalformedMessageError(`item message lacks the string field ${field}`);
  }
  return body as FeedItem;
}
