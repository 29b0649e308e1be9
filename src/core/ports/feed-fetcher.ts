import type { FeedDefinition, FeedState, FetchOutcome } from '../feed';

/** Polls one feed over the network. Never throws: every failure is a classified 'failed' outcome. */
export interface FeedFetcher {
  fetchFeed(feed: FeedDefinition, state: FeedState | null, now: Date): Promise<FetchOutcome>;
  /**
   * Closes the connections kept open for later polls of the same host. Whoever polls a batch of feeds calls it when
   * the batch is done, so no connection outlives it; the next poll opens new ones.
   */
  closeConnections(): void;
}
