import type { FeedDefinition } from '../../src/core/feed';
import type { Clock, StoryStore } from '../../src/core/ports';
import type { DueFeeds } from '../../src/core/ports/due-feeds';
import type { FeedQueue } from '../../src/core/ports/queues';
import { dispatchDueFeeds } from '../../src/pipeline/dispatch-due';
import { findDueFeeds } from '../../src/pipeline/poll-feeds';
import type { MaintenanceReport } from '../../src/websub/subscriber';
import type { InvocationContext, ScheduledInvocation } from '../lib/events';
import type { Log } from '../lib/observability';

export interface DispatcherDeps {
  store: StoryStore;
  clock: Clock;
  feeds: FeedDefinition[];
  feedQueue: FeedQueue;
  log: Log;
  /** The due-time index: a tick reads only the due feeds. Without it, every feed's state is read (local tests). */
  due?: DueFeeds;
  /** WebSub lease upkeep, run after each tick's dispatch (renewals, lapses, feeds back to polling). */
  websub?: { maintain(): Promise<MaintenanceReport> };
}

export interface DispatchResult {
  dueFeeds: number;
  enqueued: string[];
  /** Read units the due query consumed (due-time index only). */
  readUnits?: number;
  /** What the WebSub upkeep did; absent without WebSub or when it failed (logged). */
  websub?: MaintenanceReport;
}

/**
 * Scheduler tick → one poll message per due feed. Errors propagate: Scheduler invokes asynchronously, so Lambda
 * retries the tick and then sends it to its on-failure destination, the schedule DLQ (infra ScheduledInvoke).
 */
export function createDispatcherHandler(deps: DispatcherDeps) {
  const registry = new Map(deps.feeds.map((feed) => [feed.id, feed]));
  return async (event: ScheduledInvocation, _context?: InvocationContext): Promise<DispatchResult> => {
    if (deps.due) {
      const dispatched = await dispatchFromIndex({ ...deps, due: deps.due }, registry, event);
      const websub = await maintainSubscriptions(deps);
      return websub ? { ...dispatched, websub } : dispatched;
    }
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

async function dispatchFromIndex(
  deps: DispatcherDeps & { due: DueFeeds },
  registry: Map<string, FeedDefinition>,
  event: ScheduledInvocation,
): Promise<DispatchResult> {
  // One read while the registry is unchanged; a new feed is due at once.
  const registered = await deps.due.registerFeeds([...registry.keys()], deps.clock.now().toISOString());
  const outcome = await dispatchDueFeeds(deps, registry);
  deps.log.info('dispatched due feeds', {
    trigger: event?.source ?? 'unknown',
    due: outcome.sent.length,
    of: registry.size,
    registered,
    lost: outcome.lost,
    dropped: outcome.dropped,
    readUnits: outcome.readUnits,
  });
  return { dueFeeds: outcome.sent.length, enqueued: outcome.sent.map((feed) => feed.id), readUnits: outcome.readUnits };
}

/**
 * The tick's WebSub upkeep, after its dispatch: a failure here is logged and left for the next tick (the upkeep
 * reads what is due, so nothing is skipped), never a failed tick, whose retry would dispatch again.
 */
async function maintainSubscriptions(deps: DispatcherDeps): Promise<MaintenanceReport | undefined> {
  if (!deps.websub) return undefined;
  try {
    const report = await deps.websub.maintain();
    if (report.renewed.length + report.failed.length + report.resumed.length > 0) {
      deps.log.info('looked after WebSub subscriptions', { ...report });
    }
    return report;
  } catch (error) {
    deps.log.warn('WebSub upkeep failed; the next tick tries again', { error: (error as Error).message });
    return undefined;
  }
}
