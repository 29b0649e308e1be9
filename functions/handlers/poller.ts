import { METRIC } from '../../src/config/metrics';
import type { FeedDefinition } from '../../src/core/feed';
import { type PollDeps, pollOneFeed } from '../../src/pipeline/poll-feeds';
import { MalformedMessageError, parseJsonBody, processSqsBatch } from '../lib/batch';
import type { InvocationContext, SqsBatchResponse, SqsEvent } from '../lib/events';
import type { Log, MetricsSink } from '../lib/observability';
import type { ItemQueue } from '../lib/queues';

export interface PollerDeps extends PollDeps {
  itemQueue: ItemQueue;
  metrics: MetricsSink;
  log: Log;
}

/**
 * One poll message → poll that feed, enqueue its new items. A failed fetch is a normal outcome (the feed state
 * records it and backs off); only our own faults, such as an unreachable table or queue, fail the record.
 */
export function createPollerHandler(deps: PollerDeps) {
  return async (event: SqsEvent, context?: InvocationContext): Promise<SqsBatchResponse> => {
    try {
      return await processSqsBatch(
        event,
        context,
        async (record) => {
          const feed = parseFeedDefinition(parseJsonBody(record));
          // The feed state (new validators, seen items) is saved only after the items are on the queue, so a
          // failed send makes the redelivered message fetch them again.
          const report = await pollOneFeed(deps, feed, (items) => deps.itemQueue.sendItems(items));
          deps.metrics.count(report.outcome === 'failed' ? METRIC.feedsFailed : METRIC.feedsPolled, 1);
          if (report.outcome === 'not_modified') deps.metrics.count(METRIC.feedsNotModified, 1);
          deps.metrics.count(METRIC.itemsNew, report.newItems.length);
          deps.log.info('polled feed', {
            feedId: report.feedId,
            outcome: report.outcome,
            status: report.status,
            newItems: report.newItems.length,
            duplicateItems: report.duplicateItems,
            error: report.error?.kind ?? null,
          });
        },
        // Feeds are independent and mostly waiting on the network.
        { inParallel: true, log: deps.log },
      );
    } finally {
      // Feeds of the batch on one host shared connections; none may outlive the invocation (see FeedFetcher).
      deps.fetcher.closeConnections();
      deps.metrics.flush();
    }
  };
}

export function parseFeedDefinition(body: unknown): FeedDefinition {
  if (typeof body !== 'object' || body === null) throw new MalformedMessageError('poll message is not an object');
  const feed = body as Record<string, unknown>;
  for (const field of ['id', 'url', 'name', 'publisher', 'language'] as const) {
    if (typeof feed[field] !== 'string')
      throw new MalformedMessageError(`poll message lacks the string field ${field}`);
  }
  return {
    id: feed.id as string,
    url: feed.url as string,
    name: feed.name as string,
    publisher: feed.publisher as string,
    language: feed.language as string,
  };
}
