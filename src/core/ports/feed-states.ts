import type { FeedState } from '../feed';

/** What the poller remembers about each feed between polls (validators, back-off, seen entries). */
export interface FeedStates {
  /** The stored state of one feed; null for a feed never polled. */
  getFeedState(feedId: string): Promise<FeedState | null>;
  /** The stored states of these feeds, in no particular order; feeds never polled have none. */
  getFeedStates(feedIds: string[]): Promise<FeedState[]>;
  /** Every stored state, for the CLI and the local run loop. */
  listFeedStates(): Promise<FeedState[]>;
  /** Saves feed states in as few writes as the store allows; each state replaces the stored one. */
  putFeedStates(states: FeedState[]): Promise<void>;
  /**
   * Replaces the stored state only while it is still `expected` (null: only while none is stored); false when
   * another writer changed it first. The poller and the analyzer both write a feed's state; neither may undo the
   * other's change.
   */
  replaceFeedState(expected: FeedState | null, next: FeedState): Promise<boolean>;
}
