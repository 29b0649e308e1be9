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
