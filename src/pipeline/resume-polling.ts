import type { Clock } from '../core/ports/clock';
import type { DueFeeds } from '../core/ports/due-feeds';
import type { FeedStates } from '../core/ports/feed-states';
import { type FeedScheduleSettings, resumePollingAt } from '../ingestion/feed-schedule';

export interface ResumePollingDeps {
  store: FeedStates;
  due: DueFeeds;
  clock: Clock;
  schedule: FeedScheduleSettings;
}

/**
 * A feed whose WebSub subscription stopped pushing (lapsed, failed, denied) was polled only as a safety net: its
 * next poll moves earlier, to now or to the first moment its publisher's hints allow (resumePollingAt), never later.
 * Returns whether it moved.
 */
export async function resumePolling(deps: ResumePollingDeps, feedId: string): Promise<boolean> {
  const at = resumePollingAt(await deps.store.getFeedState(feedId), deps.clock.now(), deps.schedule);
  return at === null ? false : deps.due.advanceDue(feedId, at);
}
