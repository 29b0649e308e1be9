import { METRIC } from '../../src/config/metrics';
import type { FeedDefinition, FeedState } from '../../src/core/feed';
import type { DueFeeds } from '../../src/core/ports/due-feeds';
import type { HostRequestBudget } from '../../src/core/ports/host-budget';
import type { ItemQueue } from '../../src/core/ports/queues';
import { dueAfterPoll } from '../../src/pipeline/dispatch-due';
import { admitPoll } from '../../src/pipeline/host-admission';
import { type FeedPollReport, type PollDeps, type PushWatch, pollOneFeed } from '../../src/pipeline/poll-feeds';
import { parseJsonBody, processSqsBatch } from '../lib/batch';
import type { InvocationContext, SqsBatchResponse, SqsEvent } from '../lib/events';
import { parseFeedDefinition } from '../lib/messages';
import type { Log, MetricsSink } from '../lib/observability';

export interface PollerDeps extends PollDeps {
  itemQueue: ItemQueue;
  metrics: MetricsSink;
  log: Log;
  /** The due-time index the dispatcher reads; the poll moves the feed to its next due time. */
  due?: DueFeeds;
  /**
   * The per-host request budget all pollers share (with the adaptive schedule): a poll goes out only when its host
   * has room, hot feeds first; otherwise the feed is due again when the host's next window opens.
   */
  hostBudget?: HostRequestBudget;
}

/**
 * One poll message → poll that feed, enqueue its new items. A failed fetch is a normal outcome (the feed state
 * records it and backs off); only our own faults, such as an unreachable table or queue, fail the record.
 */
export function createPollerHandler(options: PollerDeps) {
  const deps = options.push ? { ...options, push: bestEffort(options.push, options.log) } : options;
  return async (event: SqsEvent, context?: InvocationContext): Promise<SqsBatchResponse> => {
    try {
      return await processSqsBatch(
        event,
        context,
        async (record) => {
          const feed = parseFeedDefinition(parseJsonBody(record));
          const report = await pollAndReschedule(deps, feed);
          if (report) reportPoll(deps, report);
          else deps.log.info('poll deferred: the host budget of this window is spent', { feedId: feed.id });
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

/**
 * WebSub upkeep on a poll never costs the poll: when the subscription store cannot be read, the feed is taken as
 * not pushing (polled on its own pace) and the next poll of it tries again.
 */
function bestEffort(push: PushWatch, log: Log): PushWatch {
  return {
    async watch(feed, found) {
      try {
        return await push.watch(feed, found);
      } catch (error) {
        log.warn('could not look after the WebSub subscription; the feed is polled as usual', {
          feedId: feed.id,
          error: (error as Error).message,
        });
        return false;
      }
    },
  };
}

/**
 * The poll, then the feed's new due time; a crash in between leaves it leased, due again when the lease ends.
 * Null when the host budget refused the poll: nothing was fetched, the state is untouched, and the feed is due
 * again when its host's next window opens.
 */
async function pollAndReschedule(deps: PollerDeps, feed: FeedDefinition): Promise<FeedPollReport | null> {
  let known: FeedState | null | undefined;
  if (deps.hostBudget && deps.schedule) {
    known = await deps.store.getFeedState(feed.id);
    const admission = { hostBudget: deps.hostBudget, clock: deps.clock, schedule: deps.schedule };
    const grant = await admitPoll(admission, feed, known);
    if (!grant.granted) {
      await deps.due?.setDue(feed.id, grant.retryAt);
      return null;
    }
  }
  const report = await pollOneFeed(deps, feed, known);
  await deps.due?.setDue(report.feedId, dueAfterPoll(report));
  return report;
}

function reportPoll(deps: PollerDeps, report: FeedPollReport): void {
  deps.metrics.count(report.outcome === 'failed' ? METRIC.feedsFailed : METRIC.feedsPolled, 1);
  if (report.outcome === 'not_modified') deps.metrics.count(METRIC.feedsNotModified, 1);
  deps.metrics.count(METRIC.itemsNew, report.newItems.length);
  // An item refused at its claim (too large to store) is left behind so the feed goes on; it is counted and logged.
  if (report.failedItems.length > 0) deps.metrics.count(METRIC.itemsFailed, report.failedItems.length);
  for (const failure of report.failedItems) {
    deps.log.error('item could not be stored; the rest of the feed goes on', {
      feedId: report.feedId,
      itemId: failure.item.id,
      error: failure.message,
    });
  }
  deps.log.info('polled feed', {
    feedId: report.feedId,
    outcome: report.outcome,
    status: report.status,
    newItems: report.newItems.length,
    unchangedItems: report.unchangedItems,
    duplicateItems: report.duplicateItems,
    error: report.error?.kind ?? null,
  });
}
