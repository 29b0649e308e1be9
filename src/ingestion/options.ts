/** Bumped with package.json; kept here so the Lambda bundle needs no JSON import at runtime. */
export const STORYWATCH_VERSION = '0.1.0';

export const DEFAULT_USER_AGENT = `storywatch/${STORYWATCH_VERSION} (open-source news monitor; polls public RSS/Atom feeds a few times an hour)`;

export interface FetchOptions {
  /** Loopback, private, CGNAT and unique-local targets are refused unless this is true (tests, local demos). */
  allowPrivateNetwork: boolean;
  /** Deadline for the whole exchange: every redirect hop and the body. */
  timeoutMs: number;
  /** Cap on the body after decompression. */
  maxBytes: number;
  /** 0 refuses any redirect. */
  maxRedirects: number;
  userAgent: string;
  minPollIntervalSec: number;
  maxPollIntervalSec: number;
  defaultPollIntervalSec: number;
  /** Ceiling of the error backoff and of an honoured Retry-After. */
  maxBackoffSec: number;
  /** Consecutive failures after which a feed is parked. */
  parkAfterFailures: number;
  /** Element nesting beyond this is a 'parse' error, decided before the XML parser recurses. */
  maxNestingDepth: number;
  /** Cap on an item's plain-text content. */
  maxContentChars: number;
}

export const DEFAULT_FETCH_OPTIONS: Readonly<FetchOptions> = Object.freeze({
  allowPrivateNetwork: false,
  timeoutMs: 15_000,
  maxBytes: 5 * 1024 * 1024,
  maxRedirects: 5,
  userAgent: DEFAULT_USER_AGENT,
  minPollIntervalSec: 300,
  maxPollIntervalSec: 6 * 3600,
  defaultPollIntervalSec: 900,
  maxBackoffSec: 24 * 3600,
  parkAfterFailures: 5,
  maxNestingDepth: 256,
  maxContentChars: 20_000,
});

export function resolveFetchOptions(overrides: Partial<FetchOptions> = {}): FetchOptions {
  const merged: FetchOptions = { ...DEFAULT_FETCH_OPTIONS };
  for (const [key, value] of Object.entries(overrides)) {
    // An explicit undefined (e.g. an unset CLI flag) must not erase a default.
    if (value !== undefined) (merged as unknown as Record<string, unknown>)[key] = value;
  }
  return merged;
}
