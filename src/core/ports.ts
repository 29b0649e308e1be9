import type { FeedDefinition, FeedItem, FeedState, PollOutcome } from './feed';
import type { Alert, StanceEvidence, StanceState } from './stance-state';
import type { FollowUpSummary, StanceLabel } from './story';

/**
 * The storage port. The DynamoDB adapter implements it; the same code path serves Lambda,
 * the local CLI (dynalite) and tests. Every write is idempotent so redelivery and replays are safe.
 */
export interface StoryStore {
  getFeedState(feedId: string): Promise<FeedState | null>;
  /** The stored states of these feeds, in no particular order; feeds never polled have none. */
  getFeedStates(feedIds: string[]): Promise<FeedState[]>;
  listFeedStates(): Promise<FeedState[]>;
  /** Saves feed states in as few writes as the store allows; each state replaces the stored one. */
  putFeedStates(states: FeedState[]): Promise<void>;

  /**
   * Claims the item's dedup keys (id, canonical link, normalized title...).
   * - 'new': no key was seen before; the item is stored, with its analysis not yet done.
   * - 'unfinished': this same item (same id) was claimed before but markItemAnalyzed never ran for it
   *   (a crash or a lost queue message between claim and analysis): analyze it again, nothing is lost.
   * - 'duplicate': another item (canonicalId) holds one of the keys, e.g. the same wire story in another
   *   feed, or this item was already analyzed; the source is linked to the canonical item.
   */
  recordItem(item: FeedItem, dedupKeys: string[]): Promise<RecordItemResult>;

  /**
   * recordItem for many items at once, results in the same order. Within one call, entries sharing a key
   * (id or dedup key): the first wins, later ones are duplicates of it.
   */
  recordItems(entries: { item: FeedItem; dedupKeys: string[] }[]): Promise<RecordItemResult[]>;

  /** Marks the analysis of an item complete, so a later poll of it is a plain duplicate (no write). */
  markItemAnalyzed(itemId: string): Promise<void>;
  /** markItemAnalyzed for many items; one found marked is left alone, and two marking at once both leave it marked. */
  markItemsAnalyzed(itemIds: string[]): Promise<void>;

  /** Idempotent: writing the same summary twice leaves one row. Many summaries share a few batched writes. */
  saveFollowUps(summaries: FollowUpSummary[]): Promise<void>;

  /** Adaptive profile of a story (opaque JSON owned by the detection module), with its version. */
  getStoryProfile(storyId: string): Promise<{ profile: unknown; version: number } | null>;
  saveStoryProfile(storyId: string, profile: unknown, expectedVersion: number): Promise<'ok' | 'conflict'>;

  getStanceStates(storyId: string): Promise<StanceState[]>;
  /**
   * One atomic write: the new state (conditioned on the previous version), its history row and
   * the pending alerts of the outbox. 'conflict' means someone else changed the state first.
   */
  commitStanceChange(change: StanceCommit): Promise<'ok' | 'conflict'>;
  /**
   * Commits a run of changes of one party's stance, oldest first: each change expects the version the one before
   * it stored. Written in as few atomic writes as the store allows, each moving the state to the last change it
   * carries, with the history rows and pending alerts of its changes. Returns how many of the changes, from the
   * first, are stored: all of them, or fewer when another writer moved the state first.
   */
  commitStanceChanges(changes: StanceCommit[]): Promise<number>;

  listPendingAlerts(limit?: number): Promise<Alert[]>;
  markAlertSent(alertId: string, sentAt: string): Promise<void>;

  /** Read side for the CLI and reports. Newest first. */
  listFollowUps(storyId: string, options?: { since?: string; limit?: number }): Promise<FollowUpSummary[]>;
  /** Oldest first: every committed change of one party's stance. */
  getStanceHistory(storyId: string, party: string): Promise<StanceHistoryEntry[]>;
  /** Newest first, sent and pending. */
  listAlerts(options?: { limit?: number }): Promise<Alert[]>;
  /** Newest first: follow-ups that carried a stance of the party. */
  listArticlesByParty(storyId: string, party: string, options?: { since?: string }): Promise<PartyArticle[]>;
}

export type RecordItemResult =
  | { status: 'new' }
  | { status: 'unfinished' }
  | { status: 'duplicate'; canonicalId: string };

/** One committed stance change (label or conditions) of a party. */
export interface StanceHistoryEntry {
  storyId: string;
  party: string;
  version: number;
  causeItemId: string;
  from: StanceLabel | null;
  to: StanceLabel | null;
  conditions: string[];
  confidence: number;
  evidence: StanceEvidence | null;
  alertIds: string[];
  committedAt: string;
}

/** A follow-up as seen from one party: what it said there. */
export interface PartyArticle {
  storyId: string;
  party: string;
  itemId: string;
  title: string;
  link: string | null;
  source: string;
  published: string | null;
  label: StanceLabel;
  confidence: number;
  direct: boolean;
  quote: string;
  conditions: string[];
}

export interface StanceCommit {
  next: StanceState;
  /** Version the stored state must still have; 0 when no state exists yet. */
  expectedVersion: number;
  /** Item that caused the change: its history row is keyed by it, so a replay writes nothing new. */
  causeItemId: string;
  alerts: Alert[];
}

/** Where alerts go: SNS in AWS, the console and a JSON Lines file locally. */
export interface AlertNotifier {
  /** Must throw when delivery failed, so the alert stays pending. */
  publish(alert: Alert): Promise<void>;
}

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** Polls one feed over the network. Never throws: every failure is a classified 'failed' outcome. */
export interface FeedFetcher {
  poll(feed: FeedDefinition, state: FeedState | null, now: Date): Promise<PollOutcome>;
  /**
   * Closes the connections kept open for later polls of the same host. Whoever polls a batch of feeds calls it when
   * the batch is done, so no connection outlives it; the next poll opens new ones.
   */
  closeConnections(): void;
}
