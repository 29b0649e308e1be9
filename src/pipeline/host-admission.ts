import type { FeedDefinition, FeedState } from '../core/feed';
import { hostOf } from '../core/host-budget';
import type { Clock } from '../core/ports/clock';
import type { HostGrant, HostRequestBudget } from '../core/ports/host-budget';
import { isHot } from '../ingestion/adaptive-schedule';
import type { FeedScheduleSettings } from '../ingestion/feed-schedule';

export interface HostAdmissionDeps {
  hostBudget: HostRequestBudget;
  clock: Clock;
  schedule: FeedScheduleSettings;
}

/**
 * Whether a poll of the feed may go out now by its host's shared budget. A hot feed (a follow-up within the hot
 * window, from its stored schedule memory) asks with priority, so it may take the part of the window kept back
 * for hot feeds; a refused poll spends nothing and learns when the host's next window opens.
 */
export function admitPoll(deps: HostAdmissionDeps, feed: FeedDefinition, state: FeedState | null): Promise<HostGrant> {
  const now = deps.clock.now();
  const priority = isHot(state?.schedule, now, deps.schedule.schedule) ? 'hot' : 'other';
  return deps.hostBudget.take(hostOf(feed.url), now.toISOString(), priority);
}
