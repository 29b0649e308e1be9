import type { FeedDefinition } from '../../src/core/feed';
import type { Clock, StoryStore } from '../../src/core/ports';
import type { FeedQueue } from '../../src/core/ports/queues';
import { findDueFeeds } from '../../src/pipeline/poll-feeds';
import type { InvocationContext, ScheduledInvocation } from '../lib/events';
import type { Log } from '../lib/observability';

export interface DispatcherDeps {
  store: StoryStore;
  clock: Clock;
  feeds: FeedDefinition[];
  feedQueue: FeedQueue;
  log: Log;
}

export interface DispatchResult {
  dueFeeds: number;
  enqueued: string[];
}

/**
 * Scheduler tick → one poll message per due feed. Errors propagate: Scheduler invokes asynchronously, so Lambda
 * retries the tick and then sends it to its on-failure destination, the schedule DLQ (infra ScheduledInvoke).
 */
export function createDispatcherHandler(deps: DispatcherDeps) {
  return async (event: ScheduledInvocation, _context?: InvocationContext): Promise<DispatchResult> => {
    const due = await findDueFeeds(deps, deps.feeds);
    await deps.feedQueue.sendFeeds(due);
    deps.log.info('dispatched due feeds', {
      trigger: event?.source ?? 'unknown',
      due: due.length,
      of: deps.feeds.length,
    });
    return { dueFeeds: due.length, enqueued: due.map((feed) => feed.id) };
  };
}
