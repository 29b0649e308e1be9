import type { StanceLabel } from './story';

export interface StanceEvidence {
  itemId: string;
  quote: string;
  source: string;
  link: string | null;
  published: string | null;
}

/** A confident observation that is waiting for confirmation before it changes the state. */
export interface PendingObservation {
  label: StanceLabel;
  itemId: string;
  source: string;
  published: string;
  direct: boolean;
  confidence: number;
  quote: string;
  link: string | null;
  /** Conditions the observation named; a condition is confirmed like a label is. */
  conditions?: string[];
}

/** The current position of one party in one story. */
export interface StanceState {
  storyId: string;
  party: string;
  label: StanceLabel | null;
  confidence: number;
  /** Published time of the item that set the label (or the story start for the baseline). */
  since: string;
  conditions: string[];
  evidence: StanceEvidence[];
  pending: PendingObservation[];
  /** Published time of the newest item applied; older items never change the state. */
  observedUntil: string;
  lastChangeAt: string | null;
  /** Label before the last change: flipping straight back within the cool-down needs stronger proof. */
  previousLabel?: StanceLabel | null;
  /** Optimistic-lock version: every write is conditioned on it. */
  version: number;
}

export type AlertKind = 'stance_change' | 'conditions_change';
export type AlertSeverity = 'high' | 'low';

export interface Alert {
  /** Stable id derived from (story, party, version): a replay yields the same id. */
  id: string;
  storyId: string;
  party: string;
  kind: AlertKind;
  severity: AlertSeverity;
  from: StanceLabel | null;
  to: StanceLabel | null;
  conditionsAdded: string[];
  conditionsDropped: string[];
  evidence: StanceEvidence;
  previousEvidence: StanceEvidence | null;
  conditions: string[];
  recentStatements: StanceEvidence[];
  createdAt: string;
  /** `parked`: refused for good by the notifier; kept with `parked` saying when and why, never retried. */
  status: 'pending' | 'sent' | 'parked';
  sentAt: string | null;
  parked?: ParkedAlert;
}

export interface ParkedAlert {
  at: string;
  reason: string;
}
