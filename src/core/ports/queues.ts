import type { FeedDefinition, FeedItem } from '../feed';

/** Hands new items on to analysis: the analyze queue in AWS, a list in tests. Throws when any item was not taken. */
export interface ItemQueue {
  /**
   * `feedId` names the feed the items came from (a poll or a push of it), so the analysis can make that feed hot
   * when one of them is a follow-up.
   */
  sendItems(items: FeedItem[], feedId?: string): Promise<void>;
}

/** Hands due feeds on to polling: the poll queue in AWS. Throws when any feed was not taken. */
export interface FeedQueue {
  sendFeeds(feeds: FeedDefinition[]): Promise<void>;
}
