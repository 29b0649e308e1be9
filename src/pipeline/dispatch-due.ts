import { mapWithConcurrency } from '../core/concurrency';
import type { FeedDefinition } from '../core/feed';
import type { Clock } from '../core/ports/clock';
import type { DueFeeds } from '../core/ports/due-feeds';
import type { FeedQueue } from '../core/ports/queues';

/**
 * How long a dispatched feed stays out of the due range before it is due again anyway: longer than a poll message
 * takes through the queue and the poller (with its retries), so a feed is not sent twice while its poll is under
 * way; short enough that a lost message (a crash between dispatch and poll) delays the feed, never loses it.
 */
export const DISPATCH_LEASE_SEC = 15 * 60;
/** At most this many feeds leave on one tick; the rest are still due on the next. */
export const DISPATCH_LIMIT = 500;

export interface DispatchDeps {
  due: DueFeeds;
  clock: Clock;
  feedQueue: FeedQueue;
}

export interface DispatchOutcome {
  /** Feeds this tick won and sent to polling. */
  sent: FeedDefinition[];
  /** Due entries another tick (or the poller) moved first, and entries of feeds no longer registered. */
  lost: number;
  dropped: number;
  readUnits: number;
}

/**
 * One dispatcher tick over the due-time index: read only the due entries, move each out of the due range by the
 * lease (a conditional step of the store, so of two ticks one wins each feed), then send the won feeds. A crash
 * after a move and before the send leaves the feed leased: it is due again when the lease ends.
 */
export async function dispatchDueFeeds(
  deps: DispatchDeps,
  registry: ReadonlyMap<string, FeedDefinition>,
  options: { leaseSec?: number; limit?: number } = {},
): Promise<DispatchOutcome> {
  const now = deps.clock.now();
  const leasedUntil = new Date(now.getTime() + (options.leaseSec ?? DISPATCH_LEASE_SEC) * 1000).toISOString();
  const read = await deps.due.readDue(now.toISOString(), options.limit ?? DISPATCH_LIMIT);
  const settled = await mapWithConcurrency(read.entries, CLAIMS_IN_FLIGHT, async (entry) => {
    const feed = registry.get(entry.feedId);
    if (!feed) {
      await deps.due.dropFeed(entry);
      return 'dropped' as const;
    }
    return (await deps.due.claimDue(entry, leasedUntil)) ? feed : ('lost' as const);
  });
  const values = settled.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const sent = values.filter((value): value is FeedDefinition => typeof value === 'object');
  // Feeds won are sent even when another claim failed; those failed stay where they were, due on the next tick.
  await deps.feedQueue.sendFeeds(sent);
  const failed = settled.find((result) => result.status === 'rejected');
  if (failed) throw failed.reason;
  return {
    sent,
    lost: values.filter((value) => value === 'lost').length,
    dropped: values.filter((value) => value === 'dropped').length,
    readUnits: read.readUnits,
  };
}

/** Claims under way at once: each is one small transaction. */
const CLAIMS_IN_FLIGHT = 8;

/** The due time to store after a poll: the state's next poll, or never for a feed parked or gone (a person decides). */
export function dueAfterPoll(state: { status: string; nextPollAt: string }): string {
  return state.status === 'active' ? state.nextPollAt : NEVER_DUE;
}

/** Sorts after every real time: a parked feed keeps its row, out of every tick's range, until a reset moves it. */
export const NEVER_DUE = '9999-12-31T23:59:59.999Z';
