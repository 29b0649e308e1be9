/** A feed item after decoding, parsing and normalization: plain text only, safe links only. */
export interface FeedItem {
  /** Stable id: guid / Atom id, else canonical link, else a hash of title + date. */
  id: string;
  title: string;
  description: string;
  /** Full text when the feed carries it (content:encoded, Atom content), as plain text. */
  content?: string;
  /** http(s) only; null when the feed gave none or an unsafe one. */
  link: string | null;
  /** ISO 8601 in UTC, or null when the feed's date was missing or invalid. */
  published: string | null;
  /**
   * Set only when the feed dated the item later than the clock plus a small tolerance: the date the feed gave,
   * while `published` holds the clock's time (see core/published-time.ts).
   */
  declaredPublished?: string;
  /** URL of the feed the item came from. */
  source: string;
  /** Primary language subtag ("en", "ru", "uk") when known. */
  language: string | null;
}

/** One entry of the feed registry (feeds/registry.json). */
export interface FeedDefinition {
  id: string;
  url: string;
  name: string;
  publisher: string;
  language: string;
}

export type FetchErrorKind =
  | 'invalid_url'
  | 'blocked_address'
  | 'timeout'
  | 'network'
  | 'too_large'
  | 'http_status'
  | 'too_many_redirects'
  | 'redirect_loop'
  | 'insecure_redirect'
  | 'not_a_feed'
  | 'decode'
  | 'parse'
  /** The body stopped before the document's end: nothing of it is remembered, the poll is retried. */
  | 'truncated';

export interface ClassifiedError {
  kind: FetchErrorKind;
  message: string;
}

export type FeedStatus = 'active' | 'parked' | 'gone';

/** What the poller remembers about a feed between cycles. */
export interface FeedState {
  feedId: string;
  /** Current URL: starts as the registry URL, replaced after a 301/308. */
  url: string;
  etag: string | null;
  lastModified: string | null;
  nextPollAt: string;
  consecutiveFailures: number;
  status: FeedStatus;
  lastError: (ClassifiedError & { at: string }) | null;
  lastPolledAt: string | null;
  lastSuccessAt: string | null;
  /**
   * Short digests of the entries (raw XML) of the last document that was fully handed on. A changed feed mostly
   * repeats entries already seen; these are neither parsed nor looked up again. Absent until a document was read.
   */
  seenEntryDigests?: string[];
  /** What the publisher asked of us on its last successful answer; the adaptive schedule honours it. */
  freshness?: { ttlMinutes: number | null; cacheControl: string | null };
  /** The adaptive scheduler's memory of this feed (see ingestion/adaptive-schedule.ts); absent before its first. */
  schedule?: FeedScheduleMemory;
  /**
   * The WebSub hub the last document (or its Link header) named, and the topic to subscribe to there; absent when
   * it named none. The poller subscribes to it when the feed has no subscription that pushes (websub/upkeep.ts).
   */
  websubHub?: { hub: string; topic: string };
}

/** What the adaptive scheduler remembers about one feed between polls (stored with the feed state). */
export interface FeedScheduleMemory {
  /** New items seen, each weighted by its decay since: the numerator of the publishing rate. */
  decayedItems: number;
  /** Hours observed, decayed the same way: the denominator. */
  decayedHours: number;
  /** When the rate was last brought up to date (ISO). */
  observedAt: string;
  /** Last poll that brought a follow-up (ISO), or null. */
  lastFollowUpAt: string | null;
  /** The interval chosen last time, seconds: growth is bounded relative to it. */
  intervalSec: number;
}

export type FetchOutcome =
  | {
      kind: 'changed';
      /** Items of entries that are new or changed since the last document. */
      items: FeedItem[];
      skippedItems: number;
      /** Entries the last document carried unchanged: already handed on, so not parsed again. */
      unchangedItems: number;
      nextState: FeedState;
    }
  | { kind: 'not_modified'; nextState: FeedState }
  | { kind: 'failed'; error: ClassifiedError; nextState: FeedState };
