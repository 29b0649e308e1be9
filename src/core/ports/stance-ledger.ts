import type { Alert, StanceEvidence, StanceState } from '../stance-state';
import type { StanceLabel } from '../story';

/** One committed stance change (label or conditions) of a party, as the tracking code described it. */
export interface StanceHistoryRecord {
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
}

/** A history record once stored: the store adds when it was committed. */
export interface StanceHistoryEntry extends StanceHistoryRecord {
  committedAt: string;
}

/** One change of one party's stance, ready to commit. Built by the tracking code (see src/tracking). */
export interface StanceCommit {
  next: StanceState;
  /** Version the stored state must still have; 0 when no state exists yet. */
  expectedVersion: number;
  /** Item that caused the change: its history row and alerts are keyed by it, so a replay writes nothing new. */
  causeItemId: string;
  /** Alerts the change raised; they join the outbox in the same atomic write. */
  alerts: Alert[];
  /** The history record of a change that raised alerts; null for a change only the state shows (a pending entry). */
  history: StanceHistoryRecord | null;
}

/** Each party's current stance per story, moved only by version-conditioned commits, and its history. */
export interface StanceLedger {
  getStanceStates(storyId: string): Promise<StanceState[]>;
  /**
   * Commits a run of changes of one party's stance, oldest first: each change expects the version the one before
   * it stored. Written in as few atomic writes as the store allows, each moving the state to the last change it
   * carries, with the history records and pending alerts of its changes. Returns how many of the changes, from the
   * first, are stored: all of them, or fewer when another writer moved the state first. A replay of a run already
   * stored counts as stored and writes nothing new.
   */
  commitStanceChanges(changes: StanceCommit[]): Promise<number>;
  /** Oldest first: every committed change of one party's stance that raised alerts. */
  getStanceHistory(storyId: string, party: string): Promise<StanceHistoryEntry[]>;
}
