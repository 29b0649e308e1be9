export type StanceLabel = 'supports' | 'conditional' | 'opposes';

export const STANCE_LABELS: readonly StanceLabel[] = ['supports', 'conditional', 'opposes'];

/** The one word every output (terminal, alerts, report) uses for a party that has no known stance yet. */
export const NO_STANCE = 'none';

export function stanceName(label: StanceLabel | null | undefined): string {
  return label ?? NO_STANCE;
}

/** One party's position as carried by one item. */
export interface StanceObservation {
  party: string;
  label: StanceLabel;
  /** 0..1 */
  confidence: number;
  /** The sentence that carries the stance. */
  evidence: string;
  /** Normalized condition ids, e.g. "monitoring", "no_mobilization". */
  conditions: string[];
  /** True when the party itself speaks (its own officials), not a report about it by others. */
  direct: boolean;
}

/** Structured summary of a follow-up: what is stored and shown in alerts. */
export interface FollowUpSummary {
  storyId: string;
  itemId: string;
  source: string;
  link: string | null;
  title: string;
  published: string | null;
  score: number;
  summary: string;
  parties: string[];
  stances: StanceObservation[];
  conditions: string[];
  quotes: string[];
  keyTerms: string[];
  reasons: string[];
  /**
   * When the analysis that stored this follow-up was committed (its clock, ISO), set by the pipeline, not the
   * reader. An item published yesterday but first analysed today is today's news: the daily digest goes by this.
   * Absent on rows stored before it was kept, and on summaries not stored yet.
   */
  recordedAt?: string;
}

/** The detector's answer for one item and one story. */
export interface Classification {
  storyId: string;
  itemId: string;
  followUp: boolean;
  score: number;
  reasons: string[];
  stances: StanceObservation[];
  /** Present when followUp is true. */
  summary?: FollowUpSummary;
}
