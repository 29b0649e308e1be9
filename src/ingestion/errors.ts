import type { ClassifiedError, FetchErrorKind } from '../core/feed';

/** Details a failed HTTP exchange carries so the politeness rules can act on them (410, Retry-After). */
export interface FeedErrorDetails {
  httpStatus?: number;
  retryAfter?: string | null;
  /** Set when a permanent redirect was followed before the failure: the stored URL still moves. */
  permanentUrl?: string | null;
}

export class FeedError extends Error {
  readonly kind: FetchErrorKind;
  readonly details: FeedErrorDetails;

  constructor(kind: FetchErrorKind, message: string, details: FeedErrorDetails = {}) {
    super(message);
    this.name = 'FeedError';
    this.kind = kind;
    this.details = details;
  }
}

/** Turns anything thrown below the fetcher into the classified shape stored and printed. */
export function classifyError(error: unknown): ClassifiedError {
  if (error instanceof FeedError) return { kind: error.kind, message: error.message };
  const message = error instanceof Error ? error.message : String(error);
  return { kind: 'network', message };
}
