import type { FollowUpSummary } from '../story';

/** A story's adaptive profile (opaque JSON owned by the detection module) and the version it was stored with. */
export interface StoredProfile {
  profile: unknown;
  version: number;
}

/** The follow-ups found for each story, and the profile each story learned from them. */
export interface FollowUps {
  /**
   * Idempotent: writing the same summary twice leaves one row, which keeps the `recordedAt` of the first write.
   * Many summaries share a few batched writes.
   */
  saveFollowUps(summaries: FollowUpSummary[]): Promise<void>;
  getStoryProfile(storyId: string): Promise<StoredProfile | null>;
  /** Saves when the stored version is still `expectedVersion` (0: none stored yet); 'conflict' otherwise. */
  saveStoryProfile(storyId: string, profile: unknown, expectedVersion: number): Promise<'ok' | 'conflict'>;
}
