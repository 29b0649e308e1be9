import type { FeedState } from '../core/feed';
import type { Clock } from '../core/ports/clock';
import type { DueFeeds } from '../core/ports/due-feeds';
import type { FeedStates } from '../core/ports/feed-states';
import type { StoryHeat } from '../core/ports/story-heat';
import { type FeedScheduleSettings, markFeedHot } from '../ingestion/feed-schedule';
import type { AnalysisOutcome } from './analyze-batch';

export interface FeedHeatDeps {
  store: FeedStates;
  due: DueFeeds;
  heat: StoryHeat;
  clock: Clock;
  schedule: FeedScheduleSettings;
}

export interface FeedHeatReport {
  /** Follow-ups per hour across all feeds once this batch's are noted. */
  storyHeat: number;
  /** Feeds whose next poll moved earlier. */
  advanced: string[];
}

/** How often a feed's state is read again after another writer (a poll) changed it first. */
const MAX_ATTEMPTS = 5;

/** The item ids an analysis confirmed as follow-ups (of any story), per feed they came from. */
export function followUpsByFeed(outcome: AnalysisOutcome, feedOf: ReadonlyMap<string, string>): Map<string, string[]> {
  const byFeed = new Map<string, string[]>();
  for (const item of outcome.items) {
    const feedId = feedOf.get(item.itemId);
    if (feedId === undefined || !item.stories.some((story) => story.classification.followUp)) continue;
    byFeed.set(feedId, [...(byFeed.get(feedId) ?? []), item.itemId]);
  }
  return byFeed;
}

/**
 * What the analyzer tells the schedule: the follow-ups it confirmed raise the story heat, and make the feeds that
 * carried them hot, so their next poll comes earlier (markFeedHot). Every write is conditional or idempotent: the
 * heat counts item ids once, a feed state is replaced only while unchanged since read, and a due time only moves
 * earlier, so a redelivered batch, or one that crashed half-way, can run this again.
 */
export async function heatFeeds(deps: FeedHeatDeps, byFeed: ReadonlyMap<string, string[]>): Promise<FeedHeatReport> {
  if (byFeed.size === 0) return { storyHeat: 0, advanced: [] };
  const now = deps.clock.now();
  const storyHeat = await deps.heat.recordFollowUps([...byFeed.values()].flat(), now.toISOString());
  const advanced: string[] = [];
  for (const feedId of byFeed.keys()) {
    if (await heatFeed(deps, feedId, { now, storyHeat })) advanced.push(feedId);
  }
  return { storyHeat, advanced };
}

async function heatFeed(deps: FeedHeatDeps, feedId: string, signal: { now: Date; storyHeat: number }) {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
    const state = await deps.store.getFeedState(feedId);
    // A feed never polled has nothing to be hot about yet; parked and gone feeds wait for a person.
    if (state === null || state.status !== 'active') return false;
    const next = markFeedHot(state, signal, deps.schedule);
    if (unchanged(state, next) || (await deps.store.replaceFeedState(state, next))) {
      // Also when the state was marked already: a crash may have come between the two writes.
      return deps.due.advanceDue(feedId, next.nextPollAt);
    }
  }
  throw new Error(`feed ${feedId}: its state kept changing while marking it hot`);
}

const unchanged = (a: FeedState, b: FeedState) => JSON.stringify(a) === JSON.stringify(b);
