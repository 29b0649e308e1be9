/** One feed's place in the due-time index: the dispatcher reads these instead of every feed's state. */
export interface DueEntry {
  feedId: string;
  /** ISO time from which the feed is due. */
  dueAt: string;
}

/** What a dispatcher tick read: the due entries, oldest first, and the read units the reading cost. */
export interface DueRead {
  entries: DueEntry[];
  readUnits: number;
}

/**
 * Due times of the registered feeds, kept in a key range so a tick reads only the feeds that are due: its cost
 * follows the due feeds, not the registry. Moves are atomic and conditional, so two ticks never both win a feed.
 */
export interface DueFeeds {
  /** Registers feeds that have no due time yet, due at `dueAt`; feeds already registered keep theirs. */
  registerFeeds(feedIds: string[], dueAt: string): Promise<number>;
  /** Entries due at or before `now`, oldest first, at most `limit`. */
  readDue(now: string, limit: number): Promise<DueRead>;
  /**
   * Moves a feed from the entry a tick read to `dueAt` in one conditional step: false when the entry is no longer
   * the feed's (another tick or the poller moved it first); the stale entry is then dropped.
   */
  claimDue(entry: DueEntry, dueAt: string): Promise<boolean>;
  /** Sets the feed's due time, whatever it was (after a poll); registers the feed when it had none. */
  setDue(feedId: string, dueAt: string): Promise<void>;
  /**
   * Moves a registered feed's due time earlier to `dueAt`, never later: false when it was already due by then or
   * is not registered. Repeating it is harmless, so a redelivered batch may call it again.
   */
  advanceDue(feedId: string, dueAt: string): Promise<boolean>;
  /** Removes a feed from the index (it left the registry). */
  dropFeed(entry: DueEntry): Promise<void>;
}
