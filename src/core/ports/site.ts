/** One document of a story's public site, by its path under the site's root. */
export interface SiteDocument {
  /** Relative to the site root, no leading slash: `ceasefire-2025.html`, `ceasefire-2025.changes.atom`. */
  path: string;
  /** The story page (HTML) or one of its Atom feeds; the adapter picks the media type and caching from it. */
  kind: 'page' | 'feed';
  body: string;
}

export interface SitePublishReport {
  /** Paths stored because they were new or their content changed. */
  written: string[];
  /** Paths left alone because the stored copy already holds exactly this content. */
  unchanged: string[];
}

/** Puts a story's page and feeds where readers fetch them: an S3 bucket behind CloudFront in AWS. */
export interface SitePublisher {
  publish(documents: readonly SiteDocument[]): Promise<SitePublishReport>;
}

/** A story whose hosted documents fell behind its read model: publishing them failed after a commit. */
export interface StaleSite {
  storyId: string;
  /** When the failure was noted (ISO); clearing compares it, so a newer note is never cleared by an older read. */
  markedAt: string;
}

/**
 * Remembers which stories' pages a failed publish left stale, so the publisher's next sweep publishes them again
 * however long S3 was out. Kept next to the read model (DynamoDB), not in the bucket that just failed.
 */
export interface StaleSites {
  /** Notes these stories as stale as of `at`; a later note replaces an earlier one. */
  mark(storyIds: readonly string[], at: string): Promise<void>;
  list(): Promise<StaleSite[]>;
  /** Clears the notes exactly as listed; a story marked again since keeps its newer note. */
  clear(entries: readonly StaleSite[]): Promise<void>;
}
