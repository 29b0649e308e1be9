import type { Alert } from '../stance-state';
import type { FollowUpSummary, StanceLabel } from '../story';

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

/** The queries of the CLI and the report; nothing here writes. */
export interface ReadModel {
  /** Newest first. */
  listFollowUps(storyId: string, options?: { since?: string; limit?: number }): Promise<FollowUpSummary[]>;
  /**
   * Follow-ups whose `recordedAt` is in [from, to) (ISO times), whatever their published time, oldest first. Rows
   * stored without a record time are not listed.
   */
  listFollowUpsRecorded(storyId: string, window: { from: string; to: string }): Promise<FollowUpSummary[]>;
  /** Newest first, sent and pending. */
  listAlerts(options?: { limit?: number }): Promise<Alert[]>;
  /** Newest first: follow-ups that carried a stance of the party. */
  listArticlesByParty(storyId: string, party: string, options?: { since?: string }): Promise<PartyArticle[]>;
}
